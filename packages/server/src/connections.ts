import net from 'node:net';
import type { CourseLogger } from '@tp0/common';
import type { ServerConfig } from './config.js';

/** What serves an accepted socket, as far as shutdown is concerned. */
export interface Session {
  /** Flushes the replies, ends the socket and waits for the peer (destroying it after `timeoutMs`). */
  close(timeoutMs: number): Promise<void>;
}

/** Starts serving an accepted socket; resolves to its session, or to undefined when the socket was closed instead. */
export type OpenSession = (socket: net.Socket) => Promise<Session | undefined>;

/**
 * The listening socket and the registry of the client sockets it accepted: logs `accept_connection` and
 * `close_connection`, hands each socket to `openSession`, and at shutdown stops accepting and closes every client.
 */
export class ClientConnections {
  /** Every open client socket, with its session once the protocol was chosen. */
  readonly #open = new Map<net.Socket, Session | undefined>();
  #accepting = true;

  private constructor(
    private readonly listener: net.Server,
    private readonly log: CourseLogger,
    private readonly openSession: OpenSession,
  ) {
    listener.on('connection', (socket: net.Socket) => void this.accept(socket));
  }

  /** Listens on `config`'s address and port (0: any free port, see `port`). */
  static async listen(config: ServerConfig, log: CourseLogger, openSession: OpenSession): Promise<ClientConnections> {
    const listener = net.createServer({ allowHalfOpen: true });
    const connections = new ClientConnections(listener, log, openSession);
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen({ port: config.port, host: config.ip === '' ? undefined : config.ip, backlog: config.listenBacklog }, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    return connections;
  }

  /** The bound port. */
  get port(): number {
    return (this.listener.address() as net.AddressInfo).port;
  }

  /** Stops accepting (later connections are destroyed); resolves once the listener closed, i.e. every client is gone. */
  stopAccepting(): Promise<void> {
    this.#accepting = false;
    return new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  /** Closes every client: through its session (replies flushed, FIN) where it has one, destroyed otherwise. */
  async closeAll(timeoutMs: number): Promise<void> {
    await Promise.all(
      [...this.#open].map(([socket, session]) => {
        if (session === undefined) return void socket.destroy();
        return session.close(timeoutMs).catch(() => socket.destroy());
      }),
    );
  }

  private async accept(socket: net.Socket): Promise<void> {
    if (!this.#accepting) return void socket.destroy();
    const ip = (socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
    this.#open.set(socket, undefined);
    socket.on('error', () => {});
    socket.once('close', () => {
      this.#open.delete(socket);
      this.log.info('close_connection', 'success', { ip });
    });
    this.log.info('accept_connection', 'success', { ip });
    const session = await this.openSession(socket);
    if (session !== undefined && this.#open.has(socket)) this.#open.set(socket, session);
  }
}
