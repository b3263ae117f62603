import { Readable, type Transform } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { fromReadable } from '../rx/from-readable.js';

/** What the helpers need of a codec: fresh decoder stages, and the type they decode to. */
export interface Decodes<In> {
  readonly decodedType?: In;
  createDecoders(): Transform[];
}

/** What came out of a codec's decoder stages: every message, then the error that ended them, if any. */
export interface Decoded<T> {
  readonly messages: T[];
  readonly error?: Error;
}

/** Feeds `chunks` through fresh decoder stages of `codec` (or through the `stages` given) and collects what comes out. */
export async function decodeChunks<In>(codec: Decodes<In>, chunks: readonly Uint8Array[]): Promise<Decoded<In>>;
export async function decodeChunks<T>(stages: Transform[], chunks: readonly Uint8Array[]): Promise<Decoded<T>>;
export async function decodeChunks<T>(codecOrStages: Decodes<T> | Transform[], chunks: readonly Uint8Array[]): Promise<Decoded<T>> {
  const stages = Array.isArray(codecOrStages) ? codecOrStages : codecOrStages.createDecoders();
  const messages: T[] = [];
  let upstream: Readable = Readable.from(chunks.map(chunk => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)), { objectMode: false });
  for (const stage of stages) upstream = upstream.pipe(stage);
  const source = fromReadable<T>(upstream, { window: Number.MAX_SAFE_INTEGER });
  try {
    await new Promise<void>((resolve, reject) => source.subscribe({ next: message => void messages.push(message), error: reject, complete: resolve }));
    return { messages };
  } catch (error) {
    return { messages, error: error as Error };
  }
}

/** `bytes` as 1-byte chunks. */
export function byteChunks(bytes: Uint8Array): Buffer[] {
  return Array.from(bytes, byte => Buffer.of(byte));
}

/** Every way to cut `bytes` in two, then `bytes` in 1-byte chunks: decode each and expect the same result. */
export function* splits(bytes: Uint8Array): Generator<Buffer[]> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let at = 0; at <= buffer.length; at++) yield [buffer.subarray(0, at), buffer.subarray(at)];
  yield byteChunks(buffer);
}

/**
 * Decodes `bytes` in one chunk, then cut at every split point and in 1-byte chunks (`splits`); every way must give
 * the same messages and the same error (code and text), else it throws naming the cut. Returns the one result.
 */
export async function decodeEverySplit<In>(codec: Decodes<In>, bytes: Uint8Array): Promise<Decoded<In>> {
  const whole = await decodeChunks(codec, [bytes]);
  for (const chunks of splits(bytes)) {
    const cut = await decodeChunks(codec, chunks);
    if (!isDeepStrictEqual(cut.messages, whole.messages) || cut.error?.message !== whole.error?.message) {
      const where = chunks.length === 2 ? `cut at byte ${chunks[0]!.length}` : 'in 1-byte chunks';
      throw new Error(`${bytes.length} bytes decode differently ${where}: ${cut.messages.length} messages and ${cut.error?.message ?? 'no error'}, against ${whole.messages.length} and ${whole.error?.message ?? 'no error'} in one chunk`);
    }
  }
  return whole;
}
