import { once } from 'node:events';
import net from 'node:net';

export interface SocketPair {
  /** The accepted side. */
  readonly server: net.Socket;
  /** The connecting side. */
  readonly client: net.Socket;
  /** Destroys both sockets and closes the listener. */
  close(): void;
}

/** A real TCP connection on 127.0.0.1: a listener on a free port, one client, and the socket it accepted. */
export async function socketPair(options: net.ServerOpts = { allowHalfOpen: true }): Promise<SocketPair> {
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

/** Connects to `port` on 127.0.0.1 and waits for the connection. */
export async function connectLocal(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** Everything `socket` receives until the peer closes (or `timeoutMs` passes, then what arrived so far). */
export async function readUntilClosed(socket: net.Socket, timeoutMs = 5000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', chunk => chunks.push(chunk));
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  if (!socket.closed) await once(socket, 'close').catch(() => undefined);
  clearTimeout(timer);
  return Buffer.concat(chunks);
}
