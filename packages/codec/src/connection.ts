import type { Socket } from 'node:net';
import type { Transform } from 'node:stream';
import { from, Observable, type ObservableInput, type Subscription } from 'rxjs';
import type { Codec } from './codec.js';
import { CodecError } from './errors.js';
import { MessageQueue } from './message-queue.js';
import { takeHead } from './socket-head.js';

const DEFAULT_CLOSE_TIMEOUT_MS = 2000;

/**
 * A socket spoken through a codec: decoded messages in (pulled, so a slow reader pauses the socket),
 * typed `send` out. One per TCP connection.
 */
export class Connection<In, Out = In> {
  readonly remoteAddress: string;
  readonly #socket: Socket;
  readonly #codec: Codec<In, Out>;
  readonly #messages: MessageQueue<In>;

  constructor(socket: Socket, codec: Codec<In, Out>) {
    this.#socket = socket;
    this.#codec = codec;
    this.remoteAddress = (socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
    const stages = codec.createDecoders();
    const last = stages[stages.length - 1];
    if (last === undefined) throw new Error(`${codec.name}: a codec needs at least one decoder stage`);
    this.#messages = new MessageQueue<In>(last);
    connectStages(socket, stages, error => this.#messages.finish(error));
  }

  /** The next message; rejects with ERR_CONNECTION_CLOSED at end of input, or with the protocol error that ended it. */
  async receive(): Promise<In> {
    const next = await this.#messages.next();
    if (next.done) throw new CodecError('ERR_CONNECTION_CLOSED', `${this.#codec.name}: ${this.remoteAddress} closed the connection before a message arrived`);
    return next.value;
  }

  /** Every message until end of input; a protocol error is thrown after the messages before it. */
  async *messages(): AsyncGenerator<In, void, undefined> {
    for (;;) {
      const next = await this.#messages.next();
      if (next.done) return;
      yield next.value;
    }
  }

  /**
   * Runs `handler` for each message, one at a time, emitting what it emits. The next message is read only when the
   * handler's output completes, so a slow handler pauses the socket instead of queueing messages without bound
   * (RxJS itself has no backpressure). Unsubscribing early destroys the socket.
   */
  handle<R>(handler: (message: In) => ObservableInput<R>): Observable<R> {
    return new Observable<R>(subscriber => {
      let active = true;
      let inner: Subscription | undefined;
      const runHandler = (message: In) =>
        new Promise<void>((resolve, reject) => {
          inner = from(handler(message)).subscribe({ next: value => subscriber.next(value), error: reject, complete: resolve });
        });
      (async () => {
        for (;;) {
          const next = await this.#messages.next();
          if (next.done || !active) break;
          await runHandler(next.value);
          if (!active) break;
        }
      })().then(
        () => {
          active = false;
          subscriber.complete();
        },
        error => {
          active = false;
          subscriber.error(error);
        },
      );
      return () => {
        inner?.unsubscribe();
        if (active) {
          active = false;
          this.destroy();
        }
      };
    });
  }

  /**
   * Writes one message. Resolves once its bytes were handed to the kernel and, when `write()` reported a full
   * buffer, once it drained; rejects with ERR_SOCKET_CLOSED when the socket is or gets closed first.
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
      let written = false;
      let drained = true;
      const settle = (error?: Error | null) => {
        socket.off('close', onClose);
        socket.off('drain', onDrain);
        if (error) reject(this.#closedError(error));
        else resolve();
      };
      const onClose = () => settle(this.#closedError());
      const onDrain = () => {
        drained = true;
        if (written) settle();
      };
      socket.once('close', onClose);
      const accepted = socket.write(bytes, error => {
        written = true;
        if (error) settle(error);
        else if (drained) settle();
      });
      if (!accepted) {
        drained = false;
        socket.once('drain', onDrain);
      }
    });
  }

  /** Flushes pending writes, ends the socket and waits for it to close (destroying it after `timeoutMs`). */
  async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    const socket = this.#socket;
    if (socket.closed) return;
    const closed = new Promise<void>(resolve => socket.once('close', () => resolve()));
    if (!socket.writableEnded) socket.end();
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

/** socket → stage 1 → … → last; the first failure anywhere ends the message queue with that error. */
function connectStages(socket: Socket, stages: Transform[], fail: (error: Error) => void): void {
  const [first] = stages as [Transform];
  for (let i = 1; i < stages.length; i++) stages[i - 1]!.pipe(stages[i]!);
  for (const stage of stages) stage.once('error', fail);
  socket.on('error', fail);
  // A socket destroyed without a normal end (by us, or reset) must not leave a reader waiting forever.
  socket.once('close', () => {
    if (!socket.readableEnded) fail(new CodecError('ERR_CONNECTION_CLOSED', 'the connection was closed'));
  });
  const head = takeHead(socket);
  if (head === undefined) return void socket.pipe(first);
  if (head.bytes.length > 0) first.write(head.bytes);
  if (head.ended) first.end();
  else {
    socket.pipe(first);
    socket.resume();
  }
}
