import { lineCodec, type Protocol } from '@tp0/codec';

/** TP0's first exercise: newline-delimited text, echoed back. No opening header: the fallback on a shared port. */
export const echoProtocol: Protocol<string, string> = { name: 'echo', codec: lineCodec() };
