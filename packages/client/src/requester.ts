import { EMPTY } from 'rxjs';
import { CodedError, ProtocolViolation, requestTimeout } from './failures.js';
import type { LotteryConnection } from './net.js';
import type { LotteryRequest, LotteryResponse } from '@tp0/protocol';

interface Pending {
  readonly resolve: (reply: LotteryResponse) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Requests pipelined on one connection. The server answers in order, one reply per message, so replies are matched
 * to requests first in, first out; several may be in flight. Each has a deadline: a reply that does not come in
 * time, a reply to nothing, or the end of the connection fails every pending request with that error (the
 * connection is then destroyed: once one reply is lost the rest can no longer be matched).
 */
export class Requester {
  readonly #connection: LotteryConnection;
  readonly #pending: Pending[] = [];
  #closed = false;
  #failure: Error | undefined;

  constructor(connection: LotteryConnection) {
    this.#connection = connection;
    // handle() returns each reply's credit once it is matched; the pipeline ends with the connection.
    connection
      .handle(reply => {
        if (this.#closed) return EMPTY;
        const pending = this.#pending.shift();
        if (pending === undefined) {
          this.#fail(new ProtocolViolation('no message (nothing was asked)', reply.type), true);
          return EMPTY;
        }
        clearTimeout(pending.timer);
        pending.resolve(reply);
        return EMPTY;
      })
      .subscribe({
        error: (error: Error) => this.#fail(error, false),
        complete: () => this.#fail(new CodedError('ERR_CONNECTION_CLOSED', 'the server closed the connection'), false),
      });
  }

  /** Sends `message`; resolves with its reply, or rejects after `timeoutMs` without one. */
  request(message: LotteryRequest, timeoutMs: number): Promise<LotteryResponse> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const reply = new Promise<LotteryResponse>((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(requestTimeout(message.type, timeoutMs), true), timeoutMs);
      this.#pending.push({ resolve, reject, timer });
    });
    this.#connection.send(message).catch((error: Error) => this.#fail(error, true));
    return reply;
  }

  /**
   * Rejects what is pending and ignores later replies; the caller closes or destroys the connection, which ends the
   * handler pipeline (unsubscribing it would destroy the socket before a graceful close).
   */
  close(): void {
    this.#closed = true;
    this.#fail(new CodedError('ERR_SOCKET_CLOSED', 'the session was closed'), false);
  }

  /** The first failure ends the session; `destroy` when the connection is still open but no longer usable. */
  #fail(error: Error, destroy: boolean): void {
    this.#failure ??= error;
    for (const pending of this.#pending.splice(0)) {
      clearTimeout(pending.timer);
      pending.reject(this.#failure);
    }
    if (destroy) this.#connection.destroy();
  }
}
