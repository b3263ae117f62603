import type { CourseLogger } from '@tp0/common';

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

declare const accepted: unique symbol;
/** An agency id this lottery accepts: only `Lottery.agency` makes one, so every use behind it was checked once. */
export type AgencyId = number & { readonly [accepted]: true };

/** Where `finished` agencies are written before they are acknowledged (see FinishedRecord). */
export interface FinishedLog {
  add(finished: { agency: number; total: number }): Promise<void>;
}

/** What the draw publishes: the winners counted as the bets were stored. */
export interface StoredWinners {
  /** Agency -> documents of its winning bets, in file order. */
  winners(): Map<number, string[]>;
  /** Bets stored in all. */
  readonly rows: number;
}

/**
 * Agencies 1..N report `finished`; right after the N-th distinct one the draw publishes the winners, which were
 * counted as each bet was stored (an agency's bets are all stored before its `finished` is accepted, and none
 * after). `winnersOf` waits for the draw, so a query never sees partial results.
 * With N = 0 there is no draw and any agency id >= 1 may bet.
 */
export class Lottery {
  private readonly done: Set<number>;
  private readonly drawn: Promise<Map<number, string[]>>;
  private settleDraw!: { resolve: (winners: Map<number, string[]>) => void; reject: (e: Error) => void };
  private closed = false;

  constructor(
    readonly agencies: number,
    private readonly stored: StoredWinners,
    private readonly log: CourseLogger,
    private readonly record: FinishedLog,
    /** Agencies a previous run recorded as finished. */
    recovered: Iterable<number> = [],
  ) {
    this.done = new Set([...recovered].filter((agency) => this.accepts(agency)));
    this.drawn = new Promise((resolve, reject) => (this.settleDraw = { resolve, reject }));
    this.drawn.catch(() => {});
    if (this.agencies > 0 && this.done.size === this.agencies) this.draw();
  }

  /** `agency` as one of this lottery's, or UNKNOWN_AGENCY: the one check of an agency id. */
  agency(agency: number): AgencyId {
    if (this.accepts(agency)) return agency as AgencyId;
    const expected = this.agencies === 0 ? 'a positive integer' : `one of 1..${this.agencies}`;
    throw new LotteryError('UNKNOWN_AGENCY', `agency ${agency} is not ${expected}`);
  }

  /** Whether `agency` said it finished (in this run or, recorded, in an earlier one). */
  hasFinished(agency: AgencyId): boolean {
    return this.done.has(agency);
  }

  /** Why `agency` may not send new bets now, or null when it may. */
  betProblem(agency: AgencyId): LotteryError | null {
    // The contract files this under UNKNOWN_AGENCY: "outside 1..N, or the agency already said it finished".
    if (this.done.has(agency)) return new LotteryError('UNKNOWN_AGENCY', `agency ${agency} already finished sending bets`);
    return null;
  }

  /**
   * Marks `agency` finished after `total` bets, once that is on disk; a repeated notification changes nothing.
   * The caller checked that `total` bets of the agency are stored.
   */
  async finished(agency: AgencyId, total: number): Promise<void> {
    if (this.done.has(agency)) return;
    try {
      await this.record.add({ agency, total });
    } catch (err) {
      throw new LotteryError('STORAGE_FAILURE', `could not record that agency ${agency} finished: ${(err as Error).message}`);
    }
    if (this.done.has(agency)) return;
    this.done.add(agency);
    this.log.info('agencia_finalizada', 'success', { agencia: agency, finalizadas: this.done.size, total: this.agencies });
    if (this.agencies > 0 && this.done.size === this.agencies) this.draw();
  }

  /** Documents of `agency`'s winners, once the draw happened. */
  async winnersOf(agency: AgencyId): Promise<string[]> {
    if (this.agencies === 0) throw new LotteryError('UNEXPECTED_MESSAGE', 'there is no draw: AGENCIES = 0');
    const winners = await this.drawn;
    return winners.get(agency) ?? [];
  }

  /** Releases waiting queries with SHUTTING_DOWN. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.settleDraw.reject(new LotteryError('SHUTTING_DOWN', 'server is shutting down'));
  }

  private accepts(agency: number): boolean {
    return Number.isInteger(agency) && agency >= 1 && (this.agencies === 0 || agency <= this.agencies);
  }

  private draw(): void {
    if (this.closed) return;
    const started = performance.now();
    const winners = this.stored.winners();
    let count = 0;
    for (const documents of winners.values()) count += documents.length;
    this.log.info('sorteo', 'success', { winners: count, bets: this.stored.rows, ms: Math.round(performance.now() - started) });
    this.settleDraw.resolve(winners);
  }
}
