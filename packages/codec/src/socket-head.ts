import type { Socket } from 'node:net';

/**
 * Bytes already read from a socket (while choosing its protocol) that its Connection must decode first.
 * `unshift` cannot serve: it throws once the socket has emitted 'end', which a short message may already have done.
 */
interface Head {
  readonly bytes: Buffer;
  readonly ended: boolean;
}

const heads = new WeakMap<Socket, Head>();

export function handOver(socket: Socket, bytes: Buffer, ended: boolean): void {
  heads.set(socket, { bytes: Buffer.from(bytes), ended });
}

export function takeHead(socket: Socket): Head | undefined {
  const head = heads.get(socket);
  heads.delete(socket);
  return head;
}
