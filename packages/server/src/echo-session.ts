import type net from 'node:net';
import { Connection } from '@tp0/codec';
import type { CourseLogger } from '@tp0/common';
import { echoProtocol } from '@tp0/protocol';
import type { IdleTimer } from './idle-timer.js';
import type { InFlightWork } from './in-flight.js';
import { CLIENT_CLOSE_MS, sessionEnd } from './session-end.js';

/** The course's first exercise: each line is logged as `receive_message` and sent back. */
export function serveEcho(socket: net.Socket, log: CourseLogger, work: InFlightWork, timer: IdleTimer): Connection<string, string> {
  const conn = new Connection<string, string>(socket, echoProtocol.codec);
  const ip = conn.remoteAddress;
  timer.onIdle(() => {
    log.info('timeout', 'fail', { ip, idle_ms: timer.limitMs });
    void conn.close(CLIENT_CLOSE_MS);
  });
  conn
    .handle((line) => {
      log.info('receive_message', 'success', { ip, msg: line });
      timer.busy();
      return work.track(conn.send(line)).finally(() => timer.idle());
    })
    .subscribe(sessionEnd(conn, log));
  return conn;
}
