import { Connection } from '@tp0/codec';
import type { CourseLogger } from '@tp0/common';
import { echoProtocol } from '@tp0/protocol';
import { closeConnection } from './close.js';
import type { ClientConfig } from './config.js';
import { connect, describeError } from './net.js';
import { isAborted, ShutdownError, sleep, untilAborted } from './shutdown.js';

/**
 * Exercises 1-4, as the course's Go client: `loop.amount` times connect, send one line, read the echo, close,
 * sleep `loop.period`. Returns the exit code; throws ShutdownError on SIGTERM.
 */
export async function runEcho(config: ClientConfig, log: CourseLogger, signal?: AbortSignal): Promise<number> {
  for (let n = 1; n <= config.loopAmount; n++) {
    if (isAborted(signal)) throw new ShutdownError();
    let echo: string;
    try {
      const connection = new Connection<string, string>(await connect(config, signal), echoProtocol.codec);
      try {
        await untilAborted(connection.send(`[CLIENT ${config.id}] Message N°${n}`), signal);
        echo = await untilAborted(connection.receive(), signal);
      } finally {
        await closeConnection(connection, log, isAborted(signal));
      }
    } catch (error) {
      if (error instanceof ShutdownError) throw error;
      log.error('receive_message', 'fail', { client_id: config.id, error: describeError(error) });
      return 1;
    }
    log.info('receive_message', 'success', { client_id: config.id, msg: echo });
    if (n < config.loopAmount) await sleep(config.loopPeriod, signal);
  }
  log.info('loop_finished', 'success', { client_id: config.id });
  return 0;
}
