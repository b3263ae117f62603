import { route, type Connection, type Route } from '@tp0/codec';
import type { CourseLogger } from '@tp0/common';
import { echoProtocol } from '@tp0/protocol';
import type { InFlightWork } from './in-flight.js';
import { logSessionEnd } from './session-end.js';

/** The course's first exercise: each line is logged as `receive_message` and sent back. */
export function echoRoute(log: CourseLogger, work: InFlightWork, idleTimeoutMs: number, started: (conn: Connection<string, string>) => void): Route<string, string> {
  return route(
    echoProtocol,
    (line, conn) => {
      log.info('receive_message', 'success', { ip: conn.remoteAddress, msg: line });
      return work.track(Promise.resolve(line));
    },
    {
      onStart: started,
      onIdle: (conn) => void log.info('timeout', 'fail', { ip: conn.remoteAddress, idle_ms: idleTimeoutMs }),
      onEnd: (end, conn) => logSessionEnd(log, conn?.remoteAddress ?? 'unknown', end),
    },
  );
}
