import net from 'node:net';
import { Connection } from '@tp0/codec';
import { kvCodec } from './kv-protocol.js';

const store = new Map<string, string[]>();

const server = net.createServer({ allowHalfOpen: true }, socket => {
  const connection = new Connection(socket, kvCodec);
  connection
    .handle(async message => {
      if (message.type !== 'put') throw new Error(`a client sent ${message.type}`);
      const values = store.get(message.key) ?? [];
      values.push(message.value);
      store.set(message.key, values);
      await connection.send({ type: 'stored', key: message.key, count: values.length });
    })
    .subscribe({
      complete: () => void connection.close(),
      error: error => {
        console.error(`${connection.remoteAddress}: ${error.message}`);
        connection.destroy();
      },
    });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as net.AddressInfo;
  console.log(`kv server listening on 127.0.0.1:${port}`);
});
