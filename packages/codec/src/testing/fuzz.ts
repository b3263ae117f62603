import type { Codec } from '../codec.js';
import { CodecError } from '../errors.js';
import { encodeFrame } from '../framing/frame.js';
import { decodeChunks } from './chunks.js';

export interface FuzzOptions {
  /** Random inputs to try (default 2,000). */
  readonly runs?: number;
  /** Largest random payload, in bytes (default 64). */
  readonly maxBytes?: number;
  /** Seed of the generator, so that a failure can be replayed (default 1). */
  readonly seed?: number;
  /** Tags to start length-prefixed payloads with, so that they reach the message decoders (default 0..255). */
  readonly tags?: readonly number[];
}

export interface FuzzReport {
  readonly runs: number;
  readonly messages: number;
  /** How many inputs ended with each CodecError code. */
  readonly errors: Readonly<Record<string, number>>;
}

/** mulberry32: small, fast, seeded; plenty for shaking a decoder (and for the bench's repeatable data). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Feeds random inputs through a codec's decoder stages, in random chunks: raw random bytes, and length-prefixed
 * random payloads behind a plausible tag. Every input must end in messages or a CodecError; anything else (a
 * TypeError from a decoder, say) is thrown, with the seed and run that produced it.
 */
export async function fuzzDecoders(codec: Pick<Codec<unknown>, 'createDecoders'>, options: FuzzOptions = {}): Promise<FuzzReport> {
  const { runs = 2000, maxBytes = 64, seed = 1 } = options;
  const tags = options.tags ?? Array.from({ length: 256 }, (_, tag) => tag);
  const next = random(seed);
  const int = (max: number) => Math.floor(next() * (max + 1));
  const errors: Record<string, number> = {};
  let messages = 0;
  for (let run = 0; run < runs; run++) {
    const payload = Buffer.from(Array.from({ length: int(maxBytes) }, () => int(255)));
    const input = run % 2 === 0 ? payload : encodeFrame(Buffer.concat([Buffer.of(tags[int(tags.length - 1)]!), payload]));
    const chunks: Buffer[] = [];
    for (let at = 0; at < input.length; ) {
      const size = 1 + int(15);
      chunks.push(input.subarray(at, at + size));
      at += size;
    }
    const result = await decodeChunks(codec.createDecoders(), chunks);
    messages += result.messages.length;
    if (result.error === undefined) continue;
    if (!(result.error instanceof CodecError)) {
      throw new Error(`fuzz seed ${seed}, run ${run}: input ${input.toString('hex')} failed with ${result.error.name}, not a CodecError: ${result.error.message}`, { cause: result.error });
    }
    errors[result.error.code] = (errors[result.error.code] ?? 0) + 1;
  }
  return { runs, messages, errors };
}
