import type { Protocol } from '../protocol.js';
import { lineCodec } from './line-codec.js';

/** Newline-delimited text with no opening header: the fallback when no other protocol recognises a connection. */
export const echoProtocol: Protocol<string, string> = { name: 'echo', codec: lineCodec() };
