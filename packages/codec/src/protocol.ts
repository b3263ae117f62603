import type { Socket } from 'node:net';
import type { Codec } from './codec.js';
import { CodecError } from './errors.js';

/** What a protocol makes of the first bytes of a connection. */
export type Detection =
  /** It is this protocol; its opening header is `consumed` bytes long and is not passed to the codec. */
  | { readonly kind: 'match'; readonly consumed: number }
  | { readonly kind: 'no-match' }
  /** The bytes so far are a prefix of this protocol's header. */
  | { readonly kind: 'need-more' }
  /** This protocol, in a version this side does not speak: `reply` is sent before the connection is ended. */
  | { readonly kind: 'unsupported'; readonly reply: Buffer; readonly reason: string };

export interface Protocol<In = unknown, Out = In> {
  readonly name: string;
  readonly codec: Codec<In, Out>;
  /** Recognises the protocol from a connection's first bytes; a fallback protocol needs none. */
  detect?(head: Buffer): Detection;
}

/**
 * A protocol that opens with `magic` followed by one version byte, sent once by the client (as AMQP does).
 * A known magic with another version is answered with the supported header, then the connection ends.
 */
export function headerProtocol<In, Out>(name: string, magic: Buffer, version: number, codec: Codec<In, Out>): Protocol<In, Out> & { readonly header: Buffer } {
  const header = Buffer.concat([magic, Buffer.of(version)]);
  return {
    name,
    codec,
    header,
    detect(head) {
      const compared = Math.min(head.length, magic.length);
      if (!head.subarray(0, compared).equals(magic.subarray(0, compared))) return { kind: 'no-match' };
      if (head.length <= magic.length) return { kind: 'need-more' };
      const offered = head[magic.length]!;
      if (offered === version) return { kind: 'match', consumed: header.length };
      return { kind: 'unsupported', reply: header, reason: `${name} protocol version ${offered} is not supported (this side speaks version ${version})` };
    },
  };
}

export interface SelectOptions {
  /** How long to wait for enough bytes to decide before choosing the fallback (default: no limit). */
  readonly timeoutMs?: number;
}

/** What `detectProtocol` read: the protocol, and the bytes after its header, which the connection must decode first. */
export interface Selection<P extends Protocol<any, any> = Protocol<any, any>> {
  readonly protocol: P;
  /** Bytes read while deciding, minus the matched header: pass them on (`new Connection(socket, codec, { head })`). */
  readonly head: Buffer;
  /** Whether the peer had already ended its side (its FIN arrived while deciding). */
  readonly ended: boolean;
}

/**
 * Picks the protocol of a new connection from its first bytes: the first candidate that matches, else `fallback`
 * (also when the peer stays silent for `timeoutMs` or ends early). Without a fallback, such a connection is refused
 * with ERR_UNKNOWN_PROTOCOL; a known magic in another version is answered with the supported header and refused
 * with ERR_UNSUPPORTED_VERSION. Resolves with what it read: the bytes after the header are the caller's to pass on.
 * The socket is left paused.
 */
export function detectProtocol<C extends Protocol<any, any>, F extends Protocol<any, any> = C>(socket: Socket, candidates: ReadonlyArray<C>, fallback?: F, options: SelectOptions = {}): Promise<Selection<C | F>> {
  type P = C | F;
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    let settled = false;
    let ended = false;

    const cleanUp = () => {
      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.off('close', onEnd);
      socket.pause();
    };
    const choose = (protocol: P, consumed: number) => {
      cleanUp();
      resolve({ protocol, head: head.subarray(consumed), ended });
    };
    const decide = (final: boolean) => {
      if (settled) return;
      let waiting = false;
      for (const candidate of candidates) {
        const detection: Detection = candidate.detect?.(head) ?? { kind: 'no-match' };
        if (detection.kind === 'match') return choose(candidate, detection.consumed);
        if (detection.kind === 'unsupported') {
          cleanUp();
          socket.end(detection.reply);
          return reject(new CodecError('ERR_UNSUPPORTED_VERSION', detection.reason));
        }
        if (detection.kind === 'need-more') waiting = true;
      }
      if (waiting && !final) return;
      if (fallback !== undefined) return choose(fallback, 0);
      cleanUp();
      const seen = head.length === 0 ? 'no bytes' : `${head.length} bytes that open no known protocol`;
      reject(new CodecError('ERR_UNKNOWN_PROTOCOL', `expected ${candidates.map(c => c.name).join(' or ')}, got ${seen}`));
    };
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      decide(false);
    };
    const onEnd = () => {
      ended = true;
      decide(true);
    };
    const onError = (error: Error) => {
      cleanUp();
      reject(error);
    };
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => decide(true), options.timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
  });
}
