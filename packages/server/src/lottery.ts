import type { CourseLogger } from '@tp0/common';
import type { DrawResult, DrawRun } from './draw.js';

/** Why a lottery request cannot be served; the server maps `code` to the reply's ErrorCode. */
export class LotteryError extends Error {
  override readonly name = 'LotteryError';
  constructor(
    readonly code: 'UNKNOWN_AGENCY' | 'UNEXPECTED_MESSAGE' | 'SHUTTING_DOWN' | 'STORAGE_FAILURE',
    message: string,
  ) {
    super(message);
  }
}

/** Where `finished` agencies are written before they are acknowledged (see FinishedRecord). */
export interface FinishedLog {
  add(finished: { agency: number; total: number }): Promise<void>;
}

/**
 * Agencies 1..N report `finished`; right after the N-th distinct one the draw runs. `winnersOf` waits for the
 * draw, so a query never sees partial results. A draw that failed is not kept: the next query runs it again (one
 * attempt at a time), so a passing fault (no free file descriptor, say) cannot cost the agencies their winners.
 * With N = 0 there is no draw and any agency id >= 1 may bet.
 */
export class Lottery {
  private readonly done: Set<number>;
  private readonly allDone: Promise<void>;
  private settleAllDone!: { resolve: () => void; reject: (e: Error) => void };
  private attempt: Promise<DrawResult> | null = null;
  private attempts = 0;
  private draw: DrawRun | null = null;
  private closed = false;
  /** Rejects with SHUTTING_DOWN at close: releases queries waiting for a draw that will not end. */
  private readonly stopped: Promise<never>;
  private stop!: (e: Error) => void;

  constructor(
    readonly agencies: number,
    private readonly runDraw: () => Promise<DrawRun>,
    private readonly log: CourseLogger,
    private readonly record: FinishedLog,
    /** Agencies a previous run recorded as finished. */
    recovered: Iterable<number> = [],
  ) {
    this.done = new Set([...recovered].filter((agency) => this.unknown(agency) === null));
    this.allDone = new Promise<void>((resolve, reject) => (this.settleAllDone = { resolve, reject }));
    this.allDone.catch(() => {});
    this.stopped = new Promise<never>((_, reject) => (this.stop = reject));
    this.stopped.catch(() => {});
    if (this.agencies > 0 && this.done.size === this.agencies) this.everyoneFinished();
  }

  /** Whether `agency` said it finished (in this run or, recorded, in an earlier one). */
  hasFinished(agency: number): boolean {
    return this.done.has(agency);
  }

  /** Why `agency` may not send new bets now, or null when it may. */
  betProblem(agency: number): LotteryError | null {
    const unknown = this.unknown(agency);
    if (unknown !== null) return unknown;
    // The contract files this under UNKNOWN_AGENCY: "outside 1..N, or the agency already said it finished".
    if (this.done.has(agency)) return new LotteryError('UNKNOWN_AGENCY', `agency ${agency} already finished sending bets`);
    return null;
  }

  /** Why `agency` is not one of this lottery's, or null. */
  unknown(agency: number): LotteryError | null {
    const valid = Number.isInteger(agency) && agency >= 1 && (this.agencies === 0 || agency <= this.agencies);
    if (valid) return null;
    const expected = this.agencies === 0 ? 'a positive integer' : `one of 1..${this.agencies}`;
    return new LotteryError('UNKNOWN_AGENCY', `agency ${agency} is not ${expected}`);
  }

  /**
   * Marks `agency` finished after `total` bets, once that is on disk; a repeated notification changes nothing.
   * The caller checked that `total` bets of the agency are stored.
   */
  async finished(agency: number, total: number): Promise<void> {
    const unknown = this.unknown(agency);
    if (unknown !== null) throw unknown;
    if (this.done.has(agency)) return;
    try {
      await this.record.add({ agency, total });
    } catch (err) {
      throw new LotteryError('STORAGE_FAILURE', `could not record that agency ${agency} finished: ${(err as Error).message}`);
    }
    if (this.done.has(agency)) return;
    this.done.add(agency);
    this.log.info('agencia_finalizada', 'success', { agencia: agency, finalizadas: this.done.size, total: this.agencies });
    if (this.agencies > 0 && this.done.size === this.agencies) this.everyoneFinished();
  }

  /** Documents of `agency`'s winners, once the draw happened. */
  async winnersOf(agency: number): Promise<string[]> {
    const unknown = this.unknown(agency);
    if (unknown !== null) throw unknown;
    if (this.agencies === 0) throw new LotteryError('UNEXPECTED_MESSAGE', 'there is no draw: AGENCIES = 0');
    await this.allDone;
    const { winners } = await Promise.race([(this.attempt ??= this.attemptDraw()), this.stopped]);
    return winners.get(agency) ?? [];
  }

  /** Releases waiting queries with SHUTTING_DOWN and stops a running draw. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const shuttingDown = new LotteryError('SHUTTING_DOWN', 'server is shutting down');
    this.settleAllDone.reject(shuttingDown);
    this.stop(shuttingDown);
    await this.draw?.cancel();
  }

  private everyoneFinished(): void {
    this.settleAllDone.resolve();
    this.attempt ??= this.attemptDraw();
    this.attempt.catch(() => {});
  }

  private async attemptDraw(): Promise<DrawResult> {
    if (this.closed) throw new LotteryError('SHUTTING_DOWN', 'server is shutting down');
    this.attempts += 1;
    const started = performance.now();
    try {
      this.draw = await this.runDraw();
      if (this.closed) await this.draw.cancel();
      const result = await this.draw.result;
      let winners = 0;
      for (const documents of result.winners.values()) winners += documents.length;
      this.log.info('sorteo', 'success', { winners, bets: result.rows, ms: Math.round(performance.now() - started) });
      return result;
    } catch (err) {
      if (this.closed) throw new LotteryError('SHUTTING_DOWN', 'server is shutting down');
      // Not kept: the next winners query tries again.
      this.attempt = null;
      this.log.error('sorteo', 'fail', { intento: this.attempts, error: (err as Error).message });
      throw new LotteryError('STORAGE_FAILURE', `the draw failed (attempt ${this.attempts}, retried at the next query): ${(err as Error).message}`);
    }
  }
}
