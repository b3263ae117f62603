import test from 'ava';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs the build script in `dir`; resolves with its exit code. */
function build(dir: string): Promise<number> {
  return new Promise(resolve => execFile(process.execPath, ['scripts/build.mjs'], { cwd: dir }, error => resolve(error === null ? 0 : ((error.code as number | undefined) ?? 1))));
}

test('a failed build leaves the working dist/ as it was; a good one replaces it whole', async t => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'codec-build-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const copy = path.join(work, 'codec');
  await cp(packageDir, copy, { recursive: true, filter: source => !['node_modules', 'dist'].includes(path.basename(source)) });
  await symlink(path.join(packageDir, 'node_modules'), path.join(copy, 'node_modules'));
  await mkdir(path.join(copy, 'dist'));
  await writeFile(path.join(copy, 'dist', 'index.js'), '// the working build\n');

  await writeFile(path.join(copy, 'src', 'broken.ts'), 'export const n: number = "not a number";\n');
  t.is(await build(copy), 1);
  t.is(await readFile(path.join(copy, 'dist', 'index.js'), 'utf8'), '// the working build\n');
  t.deepEqual((await readdir(copy)).filter(name => name.startsWith('.dist-')), [], 'no temporary folder left');

  await rm(path.join(copy, 'src', 'broken.ts'));
  t.is(await build(copy), 0);
  t.regex(await readFile(path.join(copy, 'dist', 'index.js'), 'utf8'), /export \{ binaryCodec/);
  t.deepEqual((await readdir(copy)).filter(name => name.startsWith('.dist-')), []);
});
