import { isCodecError, type CodecError, type Connection } from '@tp0/codec';
import type { CourseLogger } from '@tp0/common';
import type { Observer } from 'rxjs';

/** How long a closing client gets to answer our FIN before its socket is destroyed. */
export const CLIENT_CLOSE_MS = 500;

/**
 * The end of a session's handler pipeline: the peer finished sending → close; the connection broke or a handler
 * failed unexpectedly → destroy; a decode error (after every earlier message was answered) → `protocol_error`, the
 * protocol's `reply` if it has one, then close.
 */
export function sessionEnd<In, Out>(conn: Connection<In, Out>, log: CourseLogger, reply?: (err: CodecError) => Out): Partial<Observer<unknown>> {
  return {
    complete: () => void conn.close(CLIENT_CLOSE_MS),
    error: (err: unknown) => void endAfterError(conn, log, err, reply),
  };
}

/** Ends `conn` after `err`; see `sessionEnd`. */
export async function endAfterError<In, Out>(conn: Connection<In, Out>, log: CourseLogger, err: unknown, reply?: (err: CodecError) => Out): Promise<void> {
  const ip = conn.remoteAddress;
  if (!isCodecError(err) || err.code === 'ERR_CONNECTION_CLOSED' || err.code === 'ERR_SOCKET_CLOSED') {
    if (!isCodecError(err)) log.debug('connection_error', 'fail', { ip, error: (err as Error).message });
    conn.destroy();
    return;
  }
  log.info('protocol_error', 'fail', { ip, error: err.message });
  if (reply !== undefined) {
    // The peer may be gone already; the connection closes either way.
    await conn.send(reply(err)).catch(() => {});
  }
  await conn.close(CLIENT_CLOSE_MS);
}
