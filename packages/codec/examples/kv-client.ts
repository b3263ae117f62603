import { once } from 'node:events';
import net from 'node:net';
import { Connection } from '@tp0/codec';
import { kvCodec } from './kv-protocol.js';

const port = Number(process.argv[2]);
const socket = net.connect(port, '127.0.0.1');
await once(socket, 'connect');
const connection = new Connection(socket, kvCodec);

const puts: Array<[key: string, value: string]> = [
  ['color', 'verde'],
  ['ciudad', 'Ñandubay'],
  ['color', 'azul'],
];
for (const [key, value] of puts) {
  await connection.send({ type: 'put', key, value });
  const reply = await connection.receive();
  if (reply.type !== 'stored') throw new Error(`unexpected ${reply.type}`);
  console.log(`put ${key}=${value}: ${reply.key} holds ${reply.count} value(s)`);
}
await connection.close();
