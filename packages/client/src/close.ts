import type { CourseLogger } from '@tp0/common';
import { sleep } from './shutdown.js';

interface Closable {
  close(): Promise<void>;
  destroy(error?: Error): void;
}

const CLOSE_GRACE_MS = 1000;

/**
 * Closes a connection: flushes and ends it normally, or destroys it at once on shutdown (nothing left worth sending).
 * On shutdown the course's `close_connection` line is logged.
 */
export async function closeConnection(connection: Closable, log: CourseLogger, shuttingDown: boolean): Promise<void> {
  if (shuttingDown) {
    connection.destroy();
    log.info('close_connection', 'success');
    return;
  }
  // close() waits for the peer's FIN; a peer that never closes must not keep the client alive.
  await Promise.race([connection.close(), sleep(CLOSE_GRACE_MS, undefined)]).catch(() => undefined);
  connection.destroy();
}
