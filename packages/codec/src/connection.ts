import type { Socket } from 'node:net';
import type { Transform } from 'node:stream';
import { concatMap, EMPTY, finalize, firstValueFrom, from, materialize, Observable, throwError, type ObservableInput } from 'rxjs';
import type { Codec } from './codec.js';
import { CodecError } from './errors.js';
import { fromReadable, type DemandSource } from './rx/from-readable.js';
import type { Selection } from './protocol.js';

const DEFAULT_CLOSE_TIMEOUT_MS = 2000;
/** Messages decoded ahead of the handler; behind them the stream buffers fill and the socket pauses. */
export const DEFAULT_WINDOW = 16;

export interface ConnectionOptions {
  /** Messages decoded and handed to the pipeline but not yet handled, at most (default 16). */
  readonly window?: number;
  /** What `detectProtocol` read from this socket: its bytes are decoded before the socket's. */
  readonly selection?: Pick<Selection, 'head' | 'ended'>;
}

/**
 * A socket spoken through a codec: socket → decoder stages (Transforms) → a demand-driven RxJS source of
 * messages; typed `send` out. One per TCP connection.
 */
export class Connection<In, Out = In> {
  readonly remoteAddress: string;
  /**
   * The decoded messages, demand-driven: `release()` each one once handled, or reading stops after `window`.
   * `handle` and `receive` do this for you.
   */
  readonly messages: DemandSource<In>;
  readonly #socket: Socket;
  readonly #codec: Codec<In, Out>;
  #transportError: Error | undefined;

  constructor(socket: Socket, codec: Codec<In, Out>, options: ConnectionOptions = {}) {
    this.#socket = socket;
    this.#codec = codec;
    this.remoteAddress = (socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
    const stages = codec.createDecoders();
    const last = stages[stages.length - 1];
    if (last === undefined) throw new Error(`${codec.name}: a codec needs at least one decoder stage`);
    this.messages = fromReadable<In>(last, { window: options.window ?? DEFAULT_WINDOW, endError: () => this.#transportError });
    connectStages(socket, stages, options.selection, error => (this.#transportError ??= error));
  }

  /** The next message; rejects with ERR_CONNECTION_CLOSED at end of input, or with the error that ended it. */
  async receive(): Promise<In> {
    try {
      return await firstValueFrom(this.messages);
    } catch (error) {
      if (error instanceof Error && error.name === 'EmptyError') {
        throw new CodecError('ERR_CONNECTION_CLOSED', `${this.#codec.name}: ${this.remoteAddress} closed the connection before a message arrived`);
      }
      throw error;
    }
  }

  /**
   * The connection's RxJS handler pipeline: `concatMap` from each message to `handler`, so replies go out in order
   * and the next message is handled only when the previous handler completed. At most `window` messages wait;
   * behind them the socket is paused. A decode error comes after every message before it was handled.
   * Unsubscribing early destroys the socket.
   */
  handle<R>(handler: (message: In) => ObservableInput<R>): Observable<R> {
    return new Observable<R>(subscriber => {
      let finished = false;
      const release = () => this.messages.release();
      // An observer of our own, not `subscriber`: passed the subscriber, the inner chain would be torn down (and a
      // finalize run) before this teardown, which could then no longer tell an early unsubscribe from the end.
      const subscription = this.messages
        .pipe(
          // materialize: an error waits in concatMap's queue behind the messages before it instead of cutting them off.
          materialize(),
          concatMap(event => {
            if (event.kind === 'E') return throwError(() => event.error);
            if (event.kind === 'C') return EMPTY;
            return from(handler(event.value!)).pipe(finalize(release));
          }),
        )
        .subscribe({
          next: value => subscriber.next(value),
          error: error => {
            finished = true;
            subscriber.error(error);
          },
          complete: () => {
            finished = true;
            subscriber.complete();
          },
        });
      return () => {
        subscription.unsubscribe();
        if (!finished) this.destroy();
      };
    });
  }

  /**
   * Writes one message. Resolves once its bytes were handed to the kernel; rejects with ERR_SOCKET_CLOSED when
   * the socket is or gets closed first, or with the encoder's CodecError (nothing is written then). Uses the
   * write callback only: no listener per send, whatever the number in flight.
   */
  send(message: Out): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = this.#codec.encode(message);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.sendBytes(bytes);
  }

  /** Writes already encoded bytes (a protocol header, say) with the same guarantees as `send`. */
  sendBytes(bytes: Buffer): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => {
      socket.write(bytes, error => (error ? reject(this.#closedError(error)) : resolve()));
    });
  }

  /**
   * Flushes pending writes, ends the socket and waits for it to close (destroying it after `timeoutMs`). Input not
   * decoded yet is discarded: reading on until the peer's FIN lets the close be a FIN, not a reset that could drop
   * the last reply.
   */
  async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    const socket = this.#socket;
    if (socket.closed) return;
    const closed = new Promise<void>(resolve => socket.once('close', () => resolve()));
    if (!socket.writableEnded) socket.end();
    socket.unpipe();
    socket.on('data', () => {});
    socket.resume();
    // The peer may never send its FIN: do not wait for it forever.
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    await closed;
    clearTimeout(timer);
  }

  destroy(error?: Error): void {
    this.#socket.destroy(error);
  }

  get closed(): boolean {
    return this.#socket.closed || this.#socket.destroyed;
  }

  #closedError(cause?: Error): CodecError {
    return new CodecError('ERR_SOCKET_CLOSED', `${this.#codec.name}: cannot write to ${this.remoteAddress}: the socket is closed`, cause ? { cause } : undefined);
  }
}

/**
 * socket → stage 1 → … → last. A transport failure (reset, destroy) ends the first stage, so that what was
 * already read is still decoded; `failed` records it for the message source to end with.
 */
function connectStages(socket: Socket, stages: Transform[], selection: ConnectionOptions['selection'], failed: (error: Error) => void): void {
  const first = stages[0]!;
  for (let i = 1; i < stages.length; i++) stages[i - 1]!.pipe(stages[i]!);
  socket.on('error', failed);
  socket.once('close', () => {
    if (!socket.readableEnded) failed(new CodecError('ERR_CONNECTION_CLOSED', 'the connection was closed'));
    socket.unpipe(first);
    if (!first.writableEnded) first.end();
  });
  if (selection !== undefined && selection.head.length > 0) first.write(Buffer.from(selection.head));
  // A socket whose 'end' was already emitted (read while choosing its protocol) would never end the stages.
  if (selection?.ended === true || socket.readableEnded) first.end();
  else {
    socket.pipe(first);
    socket.resume();
  }
}
