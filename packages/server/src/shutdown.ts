import type { CourseLogger } from '@tp0/common';
import type { ClientConnections } from './connections.js';
import type { InFlightWork } from './in-flight.js';
import type { Lottery } from './lottery.js';
import { CLIENT_CLOSE_MS } from './session-end.js';
import type { FinishedRecord } from './agencies/finished-record.js';
import type { BetWriter } from './storage/bet-writer.js';

/** How long shutdown waits for in-flight messages before closing their sockets anyway. */
export const IN_FLIGHT_GRACE_MS = 3000;

export interface ShutdownParts {
  readonly log: CourseLogger;
  readonly work: InFlightWork;
  readonly connections: ClientConnections;
  readonly lottery: Lottery;
  readonly writer: BetWriter;
  readonly record: FinishedRecord;
}

/**
 * Graceful shutdown, in order: stop accepting connections and new work; answer waiting winners queries
 * SHUTTING_DOWN; let the messages being handled finish their write and reply (up to
 * IN_FLIGHT_GRACE_MS); close every client; close the bets file.
 */
export async function shutDown({ log, work, connections, lottery, writer, record }: ShutdownParts): Promise<void> {
  work.stop();
  log.info('shutdown', 'in_progress');
  const listenerClosed = connections.stopAccepting();
  lottery.close();
  await work.settled(IN_FLIGHT_GRACE_MS);
  await connections.closeAll(CLIENT_CLOSE_MS);
  await writer.close();
  await record.close();
  await listenerClosed;
  log.info('shutdown', 'success');
}
