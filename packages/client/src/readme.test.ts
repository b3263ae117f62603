import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

test("the README's layout table lists exactly the source files (tests aside)", async t => {
  const readme = await readFile(`${packageDir}/README.md`, 'utf8');
  const layout = readme.slice(readme.indexOf('## Layout'));
  const listed = [...layout.matchAll(/^\| `(src\/[\w./-]+\.ts)` \|/gm)].map(([, file]) => file!);
  const files = (await readdir(`${packageDir}/src`, { recursive: true }))
    .filter(file => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map(file => `src/${file}`);
  t.true(files.length > 10);
  t.deepEqual([...listed].sort(), files.sort());
  t.is(new Set(listed).size, listed.length, 'a file is listed twice');
});
