import type { CourseLogger } from '@tp0/common';

interface Closable {
  close(timeoutMs?: number): Promise<void>;
  destroy(error?: Error): void;
}

/** How long a normal close waits for the peer's FIN before destroying the socket. */
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
  // Connection.close(timeout) destroys the socket after the timeout and clears its timer once the peer closed.
  // Regression: racing close() against an uncancelled 1 s sleep kept every agency alive 1 s after its last line.
  await connection.close(CLOSE_GRACE_MS).catch(() => undefined);
  connection.destroy();
}
