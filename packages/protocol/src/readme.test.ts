import test from 'ava';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from './lottery.js';

const readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

test('the README\'s error-code table lists every ErrorCode with its wire value, in order', t => {
  const listed = [...readme.matchAll(/^\| (\d+) \| `([A-Z_]+)` \|/gm)].map(([, code, name]) => [Number(code), name]);
  const declared = Object.entries(ErrorCode).filter(([, value]) => typeof value === 'number').map(([name, value]) => [value, name]);
  t.true(declared.length >= 14);
  t.deepEqual(listed, declared);
});
