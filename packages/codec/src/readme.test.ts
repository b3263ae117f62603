import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readme = await readFile(`${packageDir}/README.md`, 'utf8');

/** Code blocks introduced by a line naming an example file: "`examples/kv-server.ts`:", a blank line, the fence. */
function exampleBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const [, file, body] of markdown.matchAll(/^`(examples\/[\w./-]+)`:\n\n```\w*\n([\s\S]*?)^```$/gm)) blocks.set(file!, body!);
  return blocks;
}

test('the README opens with "Start a new protocol in 5 minutes"', t => {
  t.is(/^## .*$/m.exec(readme)?.[0], '## Start a new protocol in 5 minutes');
});

test("the README's example blocks are the example files, byte for byte, and show every one of them", async t => {
  const blocks = exampleBlocks(readme);
  const files = (await readdir(`${packageDir}/examples`, { recursive: true }))
    .filter(name => /\.(ts|json)$/.test(name) && !name.startsWith('dist'))
    .map(name => `examples/${name.split(path.sep).join('/')}`);
  t.deepEqual([...blocks.keys()].sort(), files.sort());
  for (const [file, body] of blocks) t.is(body, await readFile(`${packageDir}/${file}`, 'utf8'), file);
});

test('the README lists every error code of src/errors.ts, in its order', async t => {
  const source = await readFile(`${packageDir}/src/errors.ts`, 'utf8');
  const declared = [...source.matchAll(/^\s*\| '(ERR_[A-Z0-9_]+)'/gm)].map(([, code]) => code);
  const listed = [...readme.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \|/gm)].map(([, code]) => code);
  t.true(declared.length >= 10);
  t.deepEqual(listed, declared);
});
