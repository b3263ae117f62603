import type { CourseLogger } from '@tp0/common';
import { betProblem, ErrorCode, type AgencyBet, type Bet, type LotteryMessageOf } from '@tp0/protocol';
import { errorReply, lotteryErrorReply, storageErrorReply, type ErrorReply } from './error-replies.js';
import type { InFlightWork } from './in-flight.js';
import type { Lottery } from './lottery.js';
import type { BetWriter } from './storage/bet-writer.js';

export type IngestReply = LotteryMessageOf<'ack'> | ErrorReply;

/** The course's log lines for one message's bets, which differ between a single `bet` and a `bet_batch`. */
interface IngestLog {
  /** How the reply names the bet at `index` that broke a rule. */
  where(index: number): string;
  refused(ip: string, error: string): void;
  stored(rows: readonly AgencyBet[]): void;
}

/**
 * Stores the bets of one message, all or none: the agency may still bet, every bet passes `betProblem` (the only
 * check: a valid bet is stored as it came, with its agency), then the rows go through the one BetWriter. The reply
 * is `ack {count}` once they were written, or the error that refused the whole message.
 */
export class BetIngest {
  constructor(
    private readonly log: CourseLogger,
    private readonly lottery: Lottery,
    private readonly writer: BetWriter,
    private readonly work: InFlightWork,
  ) {}

  /** A `bet` message; logged as `apuesta_almacenada` with the bet's document and number. */
  storeOne(ip: string, agency: number, bet: Bet): Promise<IngestReply> {
    const fields = { dni: bet.document, numero: bet.number };
    return this.store(ip, agency, [bet], {
      where: () => 'bet',
      refused: (ip, error) => this.log.info('apuesta_almacenada', 'fail', { ...fields, ip, error }),
      stored: () => this.log.info('apuesta_almacenada', 'success', fields),
    });
  }

  /** A `bet_batch` message; logged as `apuesta_recibida {cantidad}`, and each stored bet at DEBUG. */
  storeBatch(ip: string, agency: number, bets: readonly Bet[]): Promise<IngestReply> {
    return this.store(ip, agency, bets, {
      where: (index) => `bet ${index} of ${bets.length}`,
      refused: (ip, error) => this.log.info('apuesta_recibida', 'fail', { cantidad: bets.length, ip, error }),
      stored: (rows) => {
        this.log.info('apuesta_recibida', 'success', { cantidad: rows.length });
        if (!this.log.isDebugEnabled()) return;
        for (const row of rows) this.log.debug('apuesta_almacenada', 'success', { dni: row.document, numero: row.number });
      },
    });
  }

  private async store(ip: string, agency: number, bets: readonly Bet[], log: IngestLog): Promise<IngestReply> {
    const refuse = (reply: ErrorReply): ErrorReply => {
      log.refused(ip, reply.message);
      return reply;
    };
    if (this.work.stopping) return refuse(errorReply(ErrorCode.SHUTTING_DOWN, 'server is shutting down; nothing was stored'));
    const agencyProblem = this.lottery.betProblem(agency);
    if (agencyProblem !== null) return refuse(lotteryErrorReply(agencyProblem));
    const rows: AgencyBet[] = [];
    for (const [index, bet] of bets.entries()) {
      const problem = betProblem(bet);
      if (problem !== null) {
        return refuse(errorReply(ErrorCode.INVALID_BET, `${log.where(index)}: ${problem}; nothing of this message was stored`));
      }
      rows.push({ agency, ...bet });
    }
    // Validation and append happen in one tick, so a draw triggered after this point sees these rows.
    try {
      await this.writer.append(rows);
    } catch (err) {
      return refuse(storageErrorReply(err as Error));
    }
    log.stored(rows);
    return { type: 'ack', count: rows.length };
  }
}
