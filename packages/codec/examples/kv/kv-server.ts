import { once } from 'node:events';
import net from 'node:net';
import { serve, type Served } from '@tp0/codec';
import { kv, KvError, type KvRequest, type KvResponse } from './kv-protocol.js';

/** Serves the kv protocol on 127.0.0.1 (port 0: any free one); the store lives as long as the server. */
export async function startKvServer(port = 0): Promise<{ port: number; served: Served }> {
  const store = new Map<string, { value: string; version: number }>();
  const answer = (request: KvRequest): KvResponse => {
    const entry = store.get(request.key);
    if (request.type === 'get') return { type: 'value', found: entry !== undefined, value: entry?.value ?? '' };
    const version = (entry?.version ?? 0) + 1;
    store.set(request.key, { value: request.value, version });
    return { type: 'ok', version };
  };
  const server = net.createServer({ allowHalfOpen: true });
  const served = serve(server, kv.server, answer, {
    idleTimeout: 10_000,
    onDecodeError: error => ({ type: 'error', code: KvError.BadRequest, message: error.message }),
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as net.AddressInfo).port, served };
}
