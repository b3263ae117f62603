import { Readable, type Transform } from 'node:stream';

/** Feeds `chunks` through fresh decoder stages and collects what comes out, or the error that ended it. */
export async function decodeChunks<T>(stages: Transform[], chunks: readonly Buffer[]): Promise<{ messages: T[]; error?: Error }> {
  const messages: T[] = [];
  let upstream: NodeJS.ReadableStream = Readable.from(chunks, { objectMode: false });
  const last = stages[stages.length - 1]!;
  for (const stage of stages) {
    upstream = upstream.pipe(stage);
    if (stage !== last) stage.on('error', error => last.destroy(error));
  }
  try {
    for await (const message of last) messages.push(message as T);
    return { messages };
  } catch (error) {
    return { messages, error: error as Error };
  }
}

/** Every way to cut `bytes` in two, plus 1-byte pieces. */
export function* splits(bytes: Buffer): Generator<Buffer[]> {
  for (let at = 0; at <= bytes.length; at++) yield [bytes.subarray(0, at), bytes.subarray(at)];
  yield [...bytes].map(byte => Buffer.of(byte));
}
