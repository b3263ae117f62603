/**
 * Closes a connection that stays silent, or stuck in the middle of a frame, for longer than `limitMs`. One per
 * connection, from its accept to its close: it counts from the connection's start or its last whole message, not
 * its last byte (a peer dribbling a byte a second never completes one), and is paused while the server works on a
 * message (a winners query waiting for the draw is not idle). Picking the protocol from the first bytes does not
 * restart it: the session that takes the connection over only says what a timeout does (`onIdle`).
 */
export class IdleTimer {
  #timer: NodeJS.Timeout | null = null;
  #busy = 0;
  #stopped = false;

  constructor(
    readonly limitMs: number,
    private onTimeout: () => void,
  ) {
    this.#arm();
  }

  /** What a timeout does from now on (the session's own reply and close, once the protocol is known). */
  onIdle(handler: () => void): void {
    this.onTimeout = handler;
  }

  /** A message arrived and its handling starts. */
  busy(): void {
    this.#busy += 1;
    this.#clear();
  }

  /** The handling of a message ended. */
  idle(): void {
    this.#busy -= 1;
    if (this.#busy === 0) this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    this.#clear();
  }

  #arm(): void {
    this.#clear();
    if (this.#stopped || this.limitMs <= 0) return;
    this.#timer = setTimeout(() => {
      this.#stopped = true;
      this.onTimeout();
    }, this.limitMs);
    // A pending idle timeout must not keep a stopping server alive.
    this.#timer.unref();
  }

  #clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
