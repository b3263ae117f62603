// binary-parser's package.json "exports" sends ESM imports to a .mjs file with no typings beside it.
declare module 'binary-parser' {
  export * from 'binary-parser/dist/binary_parser.js';
}
