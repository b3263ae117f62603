/**
 * SIGTERM and SIGINT caught from an entry point's first line, before the app's modules load. Until a process has a
 * listener, Node's default action ends it by the signal (exit 143 in Docker, no shutdown lines); `docker stop` at
 * the wrong moment of start-up would do that. A signal that comes before the app is ready is kept and handed to
 * the app's handler as soon as it takes over (`handle`), so the app shuts down the normal way.
 *
 * Imported on its own (`@tp0/common/early-signals`): the package index would load bunyan first.
 */
export class EarlySignals {
  #pending: NodeJS.Signals | null = null;
  #handler: ((signal: NodeJS.Signals) => void) | null = null;

  constructor(signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']) {
    for (const signal of signals) process.on(signal, this.#onSignal);
  }

  /** From now on each signal goes to `handler`; one that already came is passed to it at once. */
  handle(handler: (signal: NodeJS.Signals) => void): void {
    this.#handler = handler;
    const pending = this.#pending;
    this.#pending = null;
    if (pending !== null) handler(pending);
  }

  readonly #onSignal = (signal: NodeJS.Signals): void => {
    if (this.#handler !== null) this.#handler(signal);
    else this.#pending ??= signal;
  };
}
