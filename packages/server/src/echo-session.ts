import type net from 'node:net';
import { Connection } from '@tp0/codec';
import type { CourseLogger } from '@tp0/common';
import { echoProtocol } from '@tp0/protocol';
import { IdleTimer } from './idle-timer.js';
import type { InFlightWork } from './in-flight.js';
import { CLIENT_CLOSE_MS, sessionEnd } from './session-end.js';

/** The course's first exercise: each line is logged as `receive_message` and sent back. */
export function serveEcho(socket: net.Socket, log: CourseLogger, work: InFlightWork, idleTimeoutMs: number): Connection<string, string> {
  const conn = new Connection<string, string>(socket, echoProtocol.codec);
  const ip = conn.remoteAddress;
  const timer = new IdleTimer(idleTimeoutMs, () => {
    log.info('timeout', 'fail', { ip, idle_ms: idleTimeoutMs });
    void conn.close(CLIENT_CLOSE_MS);
  });
  socket.once('close', () => timer.stop());
  conn
    .handle((line) => {
      log.info('receive_message', 'success', { ip, msg: line });
      timer.busy();
      return work.track(conn.send(line)).finally(() => timer.idle());
    })
    .subscribe(sessionEnd(conn, log));
  return conn;
}
