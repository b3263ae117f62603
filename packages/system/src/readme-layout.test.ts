/**
 * The READMEs' layout tables say what the code is: each package's README has a table whose first column is `file`
 * and names its source files (paths relative to the package's src/, or to the package for files outside src/; a
 * path ending in `/` stands for everything under it); every file it names exists, and every source file (under
 * src/, tests aside) is named. The root README's layout table names every package and only paths that exist.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = path.join(REPO, 'packages');

/** The backticked paths in the first column of every table whose first header cell is `file` (or `path`). */
function layoutEntries(markdown: string): string[] {
  const entries: string[] = [];
  let inLayout = false;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      inLayout = false;
      continue;
    }
    const first = line.slice(1).split('|')[0]!.trim();
    if (first === 'file' || first === 'path') inLayout = true;
    else if (inLayout && !/^-+$/.test(first)) entries.push(...[...first.matchAll(/`([^`]+)`/g)].map(m => m[1]!));
  }
  return entries;
}

/** Every file under `dir`, as a path relative to it with `/` separators. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter(e => e.isFile()).map(e => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** What is wrong with a package's README layout table; empty when it names exactly the package's source files. */
async function layoutProblems(pkg: string): Promise<string[]> {
  const dir = path.join(PACKAGES, pkg);
  const readme = path.join(dir, 'README.md');
  if (!existsSync(readme)) return [`packages/${pkg}/README.md is missing`];
  // A path may be written relative to src/ or to the package (`src/x.ts`).
  const entries = layoutEntries(await readFile(readme, 'utf8')).map(entry => entry.replace(/^src\//, ''));
  if (entries.length === 0) return [`packages/${pkg}/README.md has no layout table (a table whose first column is \`file\`)`];
  const problems: string[] = [];
  const src = path.join(dir, 'src');
  for (const entry of entries) {
    if (!existsSync(path.join(src, entry)) && !existsSync(path.join(dir, entry))) problems.push(`names ${entry}, which is neither in src/ nor in the package`);
  }
  const covered = (file: string) => entries.some(entry => entry === file || (entry.endsWith('/') && file.startsWith(entry)));
  for (const file of await filesUnder(src)) {
    if (!file.endsWith('.test.ts') && !covered(file)) problems.push(`does not name src/${file}`);
  }
  return problems;
}

const packages = (await readdir(PACKAGES, { withFileTypes: true })).filter(e => e.isDirectory() && existsSync(path.join(PACKAGES, e.name, 'package.json'))).map(e => e.name);

for (const pkg of packages) {
  const title = `packages/${pkg}/README.md's layout table names exactly the package's source files`;
  const check = async (t: import('ava').ExecutionContext) => t.deepEqual(await layoutProblems(pkg), []);
  test(title, check);
}

test("the root README's layout table names every package, and only paths that exist", async t => {
  const entries = layoutEntries(await readFile(path.join(REPO, 'README.md'), 'utf8'));
  t.deepEqual(entries.filter(entry => !existsSync(path.join(REPO, entry))), []);
  t.deepEqual(packages.filter(pkg => !entries.includes(`packages/${pkg}`)), []);
});

test('layoutEntries reads the first column of `file` tables only', t => {
  const markdown = ['| file | job |', '|---|---|', '| `a.ts`, `b/` | the `c.ts` in the job is no entry |', '', '| key | x |', '|---|---|', '| `d.ts` | |'].join('\n');
  t.deepEqual(layoutEntries(markdown), ['a.ts', 'b/']);
});
