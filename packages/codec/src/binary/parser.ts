// @ts-expect-error -- binary-parser's ESM entry ships no declarations that TypeScript resolves under NodeNext; the
// types come from its CommonJS entry, below. Both entries are its public ones.
import { Parser as ParserClass } from 'binary-parser';
import type { Parser as BinaryParser } from 'binary-parser' with { 'resolution-mode': 'require' };

/** binary-parser's `Parser`, from the package's public entry. */
export const Parser: typeof import('binary-parser', { with: { 'resolution-mode': 'require' } }).Parser = ParserClass;
export type Parser = BinaryParser;
