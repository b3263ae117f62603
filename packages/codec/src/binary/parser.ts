import { createRequire } from 'node:module';
import type { Parser as BinaryParser } from 'binary-parser' with { 'resolution-mode': 'require' };

/**
 * binary-parser's `Parser`, from the package's public entry. Its ESM entry ships no declarations that TypeScript can
 * resolve under NodeNext, so the CommonJS entry (which has them) is loaded, with its own types.
 */
export const Parser = (createRequire(import.meta.url)('binary-parser') as typeof import('binary-parser', { with: { 'resolution-mode': 'require' } })).Parser;
export type Parser = BinaryParser;
