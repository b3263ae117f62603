import type net from 'node:net';
import { Connection } from '@tp0/codec';
import type { CourseLogger } from '@tp0/common';
import { echoProtocol } from '@tp0/protocol';
import type { InFlightWork } from './in-flight.js';
import { sessionEnd } from './session-end.js';

/** The course's first exercise: each line is logged as `receive_message` and sent back. */
export function serveEcho(socket: net.Socket, log: CourseLogger, work: InFlightWork): Connection<string, string> {
  const conn = new Connection<string, string>(socket, echoProtocol.codec);
  const ip = conn.remoteAddress;
  conn
    .handle((line) => {
      log.info('receive_message', 'success', { ip, msg: line });
      return work.track(conn.send(line));
    })
    .subscribe(sessionEnd(conn, log));
  return conn;
}
