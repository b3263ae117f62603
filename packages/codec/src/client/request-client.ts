import { once } from 'node:events';
import net from 'node:net';
import { EMPTY, type Subscription } from 'rxjs';
import type { Codec } from '../codec.js';
import { Connection } from '../connection.js';
import { CodecError } from '../errors.js';

export interface RequestClientOptions {
  /** Milliseconds a request may wait for its reply (default 10,000); a request may give its own. */
  readonly timeout?: number;
  /** Replies decoded ahead of their matching, at most (see Connection). */
  readonly window?: number;
}

export interface ConnectOptions extends RequestClientOptions {
  readonly port: number;
  readonly host?: string;
  /** Bytes written first, before any message: a protocol's opening header (`headerProtocol(...).header`). */
  readonly header?: Uint8Array;
}

interface Pending<Res> {
  readonly resolve: (reply: Res) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Requests over one connection, pipelined: send as many as you like without waiting; the server answers each with
 * one reply, in order, so replies are matched to requests first in, first out. Each request has a deadline. A reply
 * that does not come in time, a reply to nothing, or the end of the connection fails every pending request (and the
 * connection is destroyed: once one reply is lost the rest can no longer be matched). Replies are read as they are
 * matched: credit is handled here, never by the caller.
 */
export class RequestClient<Res, Req> {
  readonly connection: Connection<Res, Req>;
  readonly #timeoutMs: number;
  readonly #pending: Pending<Res>[] = [];
  /** Every reply not settled yet, for `close` to wait on. */
  readonly #replies = new Set<Promise<Res>>();
  readonly #subscription: Subscription;
  #failure: Error | undefined;

  /** Connects to `host:port` (default 127.0.0.1), writes `header` if given, and returns the client. */
  static async connect<Res, Req>(codec: Codec<Res, Req>, options: ConnectOptions): Promise<RequestClient<Res, Req>> {
    const socket = net.connect({ port: options.port, host: options.host ?? '127.0.0.1', noDelay: true });
    try {
      await once(socket, 'connect');
    } catch (error) {
      socket.destroy();
      throw error;
    }
    if (options.header !== undefined) socket.write(options.header);
    return new RequestClient(new Connection(socket, codec, { window: options.window }), options);
  }

  constructor(connection: Connection<Res, Req>, options: RequestClientOptions = {}) {
    this.connection = connection;
    this.#timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
    this.#subscription = connection
      .handle(reply => {
        const pending = this.#pending.shift();
        if (pending === undefined) this.#fail(new CodecError('ERR_UNEXPECTED_REPLY', `${connection.remoteAddress} sent a reply when no request was waiting`), true);
        else {
          clearTimeout(pending.timer);
          pending.resolve(reply);
        }
        return EMPTY;
      })
      .subscribe({
        error: (error: Error) => this.#fail(error, false),
        complete: () => this.#fail(new CodecError('ERR_CONNECTION_CLOSED', `${connection.remoteAddress} closed the connection`), false),
      });
  }

  /** Sends `message`; resolves with its reply, or rejects after the timeout (ERR_REQUEST_TIMEOUT) or a failure. */
  request(message: Req, options: { readonly timeout?: number } = {}): Promise<Res> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const timeoutMs = options.timeout ?? this.#timeoutMs;
    const reply = new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(new CodecError('ERR_REQUEST_TIMEOUT', `no reply to ${describe(message)} within ${timeoutMs} ms`), true), timeoutMs);
      this.#pending.push({ resolve, reject, timer });
    });
    this.#replies.add(reply);
    const forget = () => void this.#replies.delete(reply);
    reply.then(forget, forget);
    this.connection.send(message).catch((error: Error) => this.#fail(error, true));
    return reply;
  }

  /** Requests waiting for their replies. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Waits for the pending replies (or their failure), then closes the connection (FIN, then the peer's). */
  async close(): Promise<void> {
    await Promise.allSettled(this.#replies);
    this.#failure ??= new CodecError('ERR_SOCKET_CLOSED', 'the client was closed');
    await this.connection.close();
    this.#subscription.unsubscribe();
  }

  /** The first failure ends the client; `destroy` when the connection is still open but no longer usable. */
  #fail(error: Error, destroy: boolean): void {
    this.#failure ??= error;
    for (const pending of this.#pending.splice(0)) {
      clearTimeout(pending.timer);
      pending.reject(this.#failure);
    }
    if (destroy) this.connection.destroy();
  }
}

/** A request's `type` when it has one (binary messages do), for error messages. */
function describe(message: unknown): string {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : 'a request';
}
