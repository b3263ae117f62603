import { Readable, type Transform } from 'node:stream';
import { fromReadable } from '../rx/from-readable.js';

/** What came out of a codec's decoder stages: every message, then the error that ended them, if any. */
export interface Decoded<T> {
  readonly messages: T[];
  readonly error?: Error;
}

/** Feeds `chunks` through decoder stages (`codec.createDecoders()`) and collects what comes out. */
export async function decodeChunks<T>(stages: Transform[], chunks: readonly Uint8Array[]): Promise<Decoded<T>> {
  const messages: T[] = [];
  let upstream: Readable = Readable.from(chunks.map(chunk => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)), { objectMode: false });
  for (const stage of stages) upstream = upstream.pipe(stage);
  const source = fromReadable<T>(upstream, { window: Number.MAX_SAFE_INTEGER });
  try {
    await new Promise<void>((resolve, reject) => source.subscribe({ next: message => void messages.push(message), error: reject, complete: resolve }));
    return { messages };
  } catch (error) {
    return { messages, error: error as Error };
  }
}

/** `bytes` as 1-byte chunks. */
export function byteChunks(bytes: Uint8Array): Buffer[] {
  return Array.from(bytes, byte => Buffer.of(byte));
}

/** Every way to cut `bytes` in two, then `bytes` in 1-byte chunks: decode each and expect the same result. */
export function* splits(bytes: Uint8Array): Generator<Buffer[]> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let at = 0; at <= buffer.length; at++) yield [buffer.subarray(0, at), buffer.subarray(at)];
  yield byteChunks(buffer);
}
