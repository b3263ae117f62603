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

/**
 * Agencies 1..N report `finished`; right after the N-th distinct one the draw runs, exactly once.
 * `winnersOf` waits for the draw, so a query never sees partial results. With N = 0 there is no draw
 * and any agency id >= 1 may bet.
 */
export class Lottery {
  private readonly done = new Set<number>();
  private draw: DrawRun | null = null;
  private readonly drawn: Promise<DrawResult>;
  private settle!: { resolve: (r: DrawResult) => void; reject: (e: Error) => void };
  private closed = false;

  constructor(
    readonly agencies: number,
    private readonly runDraw: () => Promise<DrawRun>,
    private readonly log: CourseLogger,
  ) {
    this.drawn = new Promise<DrawResult>((resolve, reject) => (this.settle = { resolve, reject }));
    this.drawn.catch(() => {});
  }

  /** Why `agency` may not send bets now, or null when it may. */
  betProblem(agency: number): LotteryError | null {
    const unknown = this.unknown(agency);
    if (unknown !== null) return unknown;
    // The contract files this under UNKNOWN_AGENCY: "outside 1..N, or the agency already said it finished".
    if (this.done.has(agency)) return new LotteryError('UNKNOWN_AGENCY', `agency ${agency} already finished sending bets`);
    return null;
  }

  /** Marks `agency` finished; a repeated notification changes nothing. */
  finished(agency: number): void {
    const unknown = this.unknown(agency);
    if (unknown !== null) throw unknown;
    if (this.done.has(agency)) return;
    this.done.add(agency);
    this.log.info('agencia_finalizada', 'success', { agencia: agency, finalizadas: this.done.size, total: this.agencies });
    if (this.agencies > 0 && this.done.size === this.agencies) void this.startDraw();
  }

  /** Documents of `agency`'s winners, once the draw happened. */
  async winnersOf(agency: number): Promise<string[]> {
    const unknown = this.unknown(agency);
    if (unknown !== null) throw unknown;
    if (this.agencies === 0) throw new LotteryError('UNEXPECTED_MESSAGE', 'there is no draw: AGENCIES = 0');
    const { winners } = await this.drawn;
    return winners.get(agency) ?? [];
  }

  /** Releases waiting queries with SHUTTING_DOWN and stops a running draw. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.settle.reject(new LotteryError('SHUTTING_DOWN', 'server is shutting down'));
    await this.draw?.cancel();
  }

  private unknown(agency: number): LotteryError | null {
    const valid = Number.isInteger(agency) && agency >= 1 && (this.agencies === 0 || agency <= this.agencies);
    if (valid) return null;
    const expected = this.agencies === 0 ? 'a positive integer' : `one of 1..${this.agencies}`;
    return new LotteryError('UNKNOWN_AGENCY', `agency ${agency} is not ${expected}`);
  }

  private async startDraw(): Promise<void> {
    const started = performance.now();
    try {
      this.draw = await this.runDraw();
      if (this.closed) await this.draw.cancel();
      const result = await this.draw.result;
      let winners = 0;
      for (const documents of result.winners.values()) winners += documents.length;
      this.log.info('sorteo', 'success', { winners, bets: result.rows, ms: Math.round(performance.now() - started) });
      this.settle.resolve(result);
    } catch (err) {
      if (this.closed) return;
      this.log.error('sorteo', 'fail', { error: (err as Error).message });
      this.settle.reject(new LotteryError('STORAGE_FAILURE', `the draw failed: ${(err as Error).message}`));
    }
  }
}
