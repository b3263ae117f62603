import { once } from 'node:events';
import net from 'node:net';

/** A real TCP server on 127.0.0.1 and a client socket connected to it. */
export async function socketPair(options: net.ServerOpts = { allowHalfOpen: true }): Promise<{ server: net.Socket; client: net.Socket; close(): void }> {
  const listener = net.createServer(options);
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as net.AddressInfo;
  const accepted = once(listener, 'connection') as Promise<[net.Socket]>;
  const client = net.connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [server] = await accepted;
  return {
    server,
    client,
    close() {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}
