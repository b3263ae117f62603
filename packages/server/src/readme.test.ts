import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

test('the README\'s module table lists exactly the source files of src/ (tests aside)', async (t) => {
  const readme = await readFile(`${packageDir}/README.md`, 'utf8');
  const table = readme.slice(readme.indexOf('## Modules (`src/`)'), readme.indexOf('\n## ', readme.indexOf('## Modules (`src/`)') + 1));
  const listed = [...table.matchAll(/^\| `([\w/.-]+\.ts)` \|/gm)].map(([, file]) => file!);
  const files = (await readdir(`${packageDir}/src`, { recursive: true }))
    .map((file) => file.split('\\').join('/'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
  t.true(files.length > 20);
  t.deepEqual([...listed].sort(), files.sort());
});
