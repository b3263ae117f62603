/**
 * @tp0/codec/testing — what a protocol author needs to prove a codec: the same bytes decoded at every split point
 * and 1 byte at a time, real sockets on 127.0.0.1, and a seeded fuzzer.
 *
 * @example
 * for (const chunks of splits(bytes)) t.deepEqual((await decodeChunks(codec.createDecoders(), chunks)).messages, expected);
 */
export { byteChunks, decodeChunks, decodeEverySplit, splits, type Decoded, type Decodes } from './chunks.js';
export { fuzzDecoders, random, type FuzzOptions, type FuzzReport } from './fuzz.js';
export { connectLocal, readUntilClosed, socketPair, type SocketPair } from './sockets.js';
export { serveLocal, type Loopback } from './loopback.js';
