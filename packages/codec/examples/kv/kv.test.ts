import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { pipeline } from './kv-client.js';
import { kv, KvError } from './kv-protocol.js';
import { startKvServer } from './kv-server.js';

test('put answers the new version; get finds the last value, or not found', async () => {
  const { port, served } = await startKvServer();
  const replies = await pipeline(port, [
    { type: 'put', key: 'ciudad', value: 'Ñandubay' },
    { type: 'put', key: 'ciudad', value: 'Paraná' },
    { type: 'get', key: 'ciudad' },
    { type: 'get', key: 'nada' },
  ]);
  assert.deepEqual(replies, [
    { type: 'ok', version: 1 },
    { type: 'ok', version: 2 },
    { type: 'value', found: true, value: 'Paraná' },
    { type: 'value', found: false, value: '' },
  ]);
  await served.close();
});

test('8 clients × 1,000 pipelined requests each get their own replies, in order', async () => {
  const { port, served } = await startKvServer();
  await Promise.all(Array.from({ length: 8 }, async (_, c) => {
    const requests = Array.from({ length: 1000 }, (_, i) => ({ type: 'put' as const, key: `c${c}`, value: String(i) }));
    const replies = await pipeline(port, requests);
    assert.deepEqual(replies.map(reply => reply.type === 'ok' && reply.version), requests.map((_, i) => i + 1));
  }));
  await served.close();
});

test('garbage is answered with an error and closed; the server lives on', async () => {
  const { port, served } = await startKvServer();
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.end('GET / HTTP/1.1\r\n\r\n');
  const received: Buffer[] = [];
  for await (const chunk of socket) received.push(chunk as Buffer);
  const reply = kv.client.decode(Buffer.concat(received));
  assert.equal(reply.type === 'error' && reply.code, KvError.BadRequest);
  assert.deepEqual(await pipeline(port, [{ type: 'get', key: 'x' }]), [{ type: 'value', found: false, value: '' }]);
  await served.close();
});
