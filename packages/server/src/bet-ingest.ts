import type { CourseLogger } from '@tp0/common';
import { betProblem, ErrorCode, type AgencyBet, type Bet, type LotteryMessageOf } from '@tp0/protocol';
import { errorReply, lotteryErrorReply, storageErrorReply, type ErrorReply } from './error-replies.js';
import type { InFlightWork } from './in-flight.js';
import type { AgencyLedger } from './agencies/ledger.js';
import type { AgencyId, Lottery } from './lottery.js';
import type { BetWriter } from './storage/bet-writer.js';

export type IngestReply = LotteryMessageOf<'ack'> | ErrorReply;

/** The course's log lines for one message's bets, which differ between a single `bet` and a `bet_batch`. */
interface IngestLog {
  /** How the reply names the bet at `index` that broke a rule. */
  where(index: number): string;
  refused(ip: string, error: string): void;
  stored(rows: readonly AgencyBet[]): void;
}

/** Where a sequenced batch starts among its agency's bets. */
interface Sequence {
  readonly first: number;
}

/**
 * Stores the bets of one message, all or none: the agency (an id the lottery accepted) may still bet, every bet
 * passes `betProblem` (the only check: a valid bet is stored as it came, with its agency), then the rows go through
 * the one BetWriter and into the ledger. The reply is `ack {count}` once they were written, or the error that
 * refused the whole message.
 *
 * Exactly once: a `bet_batch` says where it starts among its agency's bets (`first`). Bets before the agency's
 * stored count were stored already (a batch resent after a lost ack) and are acknowledged without being written
 * again; a batch that would leave a gap is refused (OUT_OF_ORDER). The check and the write run in the agency's
 * `exclusive` section of the ledger, so they see every earlier write of that agency.
 */
export class BetIngest {
  constructor(
    private readonly log: CourseLogger,
    private readonly lottery: Lottery,
    private readonly ledger: AgencyLedger,
    private readonly writer: BetWriter,
    private readonly work: InFlightWork,
  ) {}

  /** A `bet` message; logged as `apuesta_almacenada` with the bet's document and number. */
  storeOne(ip: string, agency: AgencyId, bet: Bet): Promise<IngestReply> {
    const fields = { dni: bet.document, numero: bet.number };
    return this.store(ip, agency, [bet], {
      where: () => 'bet',
      refused: (ip, error) => this.log.info('apuesta_almacenada', 'fail', { ...fields, ip, error }),
      stored: () => this.log.info('apuesta_almacenada', 'success', fields),
    });
  }

  /** A `bet_batch` message; logged as `apuesta_recibida {cantidad}`, and each stored bet at DEBUG. */
  storeBatch(ip: string, agency: AgencyId, first: number, bets: readonly Bet[]): Promise<IngestReply> {
    return this.store(ip, agency, bets, {
      where: (index) => `bet ${index} of ${bets.length}`,
      refused: (ip, error) => this.log.info('apuesta_recibida', 'fail', { cantidad: bets.length, ip, error }),
      stored: (rows) => {
        this.log.info('apuesta_recibida', 'success', { cantidad: rows.length });
        if (!this.log.isDebugEnabled()) return;
        for (const row of rows) this.log.debug('apuesta_almacenada', 'success', { dni: row.document, numero: row.number });
      },
    }, { first });
  }

  private store(ip: string, agency: AgencyId, bets: readonly Bet[], log: IngestLog, sequence?: Sequence): Promise<IngestReply> {
    return this.ledger.exclusive(agency, () => this.storeInOrder(ip, agency, bets, log, sequence));
  }

  private refuse(log: IngestLog, ip: string, reply: ErrorReply): ErrorReply {
    log.refused(ip, reply.message);
    return reply;
  }

  private async storeInOrder(ip: string, agency: AgencyId, bets: readonly Bet[], log: IngestLog, sequence?: Sequence): Promise<IngestReply> {
    const refuse = (reply: ErrorReply): ErrorReply => this.refuse(log, ip, reply);
    if (this.work.stopping) return refuse(errorReply(ErrorCode.SHUTTING_DOWN, 'server is shutting down; nothing was stored'));
    const stored = this.ledger.stored(agency);
    const first = sequence?.first ?? stored;
    if (first > stored) {
      return refuse(errorReply(ErrorCode.OUT_OF_ORDER, `agency ${agency} has ${stored} bets stored; a batch starting at bet ${first} would leave a gap; nothing of this message was stored`));
    }
    // Bets [first, stored) are stored already: this batch, or its start, was sent before and its ack was lost.
    const repeated = Math.min(stored - first, bets.length);
    if (repeated === bets.length && bets.length > 0) {
      this.log.info('apuesta_repetida', 'success', { agencia: agency, cantidad: repeated, primera: first });
      return { type: 'ack', count: bets.length };
    }
    const agencyProblem = this.lottery.betProblem(agency);
    if (agencyProblem !== null) return refuse(lotteryErrorReply(agencyProblem));
    const rows: AgencyBet[] = [];
    for (const [index, bet] of bets.entries()) {
      const problem = betProblem(bet);
      if (problem !== null) {
        return refuse(errorReply(ErrorCode.INVALID_BET, `${log.where(index)}: ${problem}; nothing of this message was stored`));
      }
      // Spelled out, not spread: this runs for every bet and a spread is several times slower.
      if (index >= repeated) rows.push({ agency, firstName: bet.firstName, lastName: bet.lastName, document: bet.document, birthdate: bet.birthdate, number: bet.number });
    }
    // Validation and append happen in one tick, so a draw triggered after this point sees these rows.
    try {
      await this.writer.append(rows);
    } catch (err) {
      return refuse(storageErrorReply(err as Error));
    }
    this.ledger.add(rows);
    if (repeated > 0) this.log.info('apuesta_repetida', 'success', { agencia: agency, cantidad: repeated, primera: first });
    log.stored(rows);
    return { type: 'ack', count: bets.length };
  }
}
