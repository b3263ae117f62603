import { isCodecError, type SessionEnd } from '@tp0/codec';
import type { CourseLogger } from '@tp0/common';

/** How long a closing client gets to answer our FIN before its socket is destroyed. */
export const CLIENT_CLOSE_MS = 500;

/**
 * Logs why a session ended: input that could not be decoded, or a protocol refused (another version) →
 * `protocol_error`; a broken socket or a failed handler → `connection_error` (debug). The peer finishing, or closing
 * first, is not an error; an idle end is logged by the session's `onIdle`, which knows its fields.
 */
export function logSessionEnd(log: CourseLogger, ip: string, end: SessionEnd): void {
  switch (end.reason) {
    case 'done':
    case 'idle':
      return;
    case 'decode-error':
      return log.info('protocol_error', 'fail', { ip, error: end.error.message });
    case 'handler-error':
      return log.debug('connection_error', 'fail', { ip, error: (end.error as Error).message });
    case 'transport-error':
      if (!isCodecError(end.error)) return log.debug('connection_error', 'fail', { ip, error: end.error.message });
      if (end.error.code === 'ERR_CONNECTION_CLOSED' || end.error.code === 'ERR_SOCKET_CLOSED') return;
      return log.info('protocol_error', 'fail', { ip, error: end.error.message });
  }
}
