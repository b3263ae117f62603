import { once } from 'node:events';
import net from 'node:net';
import type { Codec } from '../codec.js';
import { serve, type Handler, type InOf, type OutOf, type ServeOptions, type SessionEnd } from '../serve/serve.js';
import { connectLocal } from './sockets.js';

export interface Loopback {
  /** The port the handler is served on, on 127.0.0.1. */
  readonly port: number;
  /** How each session ended so far, in order. */
  readonly ends: readonly SessionEnd[];
  /** A new raw connection to the handler (write bytes, read bytes). */
  connect(): Promise<net.Socket>;
  /** Resolves with the end of the next session to end. */
  nextEnd(): Promise<SessionEnd>;
  /** Stops the server and waits for every session. */
  close(): Promise<void>;
}

/** Serves `handler` with `serve()` on a free port of 127.0.0.1, for tests that talk to it over real sockets. */
export async function serveLocal<C extends Codec<any, any>>(codec: C, handler: NoInfer<Handler<InOf<C>, OutOf<C>>>, options: NoInfer<ServeOptions<InOf<C>, OutOf<C>>> = {}): Promise<Loopback> {
  const server = net.createServer({ allowHalfOpen: true });
  const ends: SessionEnd[] = [];
  const waiting: Array<(end: SessionEnd) => void> = [];
  const served = serve(server, codec, handler, {
    ...options,
    onEnd: (end, connection) => {
      ends.push(end);
      options.onEnd?.(end, connection);
      waiting.shift()?.(end);
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    ends,
    connect: () => connectLocal(port),
    nextEnd: () => new Promise(resolve => waiting.push(resolve)),
    close: () => served.close(),
  };
}
