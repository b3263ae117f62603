/**
 * The package as an outside user gets it: `npm pack`, installed into a fresh project with registry packages only,
 * the examples compiled with `tsc --strict` (no skipLibCheck: the shipped .d.ts must type-check) and run.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

const EXPECTED_OUTPUT = ['{"type":"ok","version":1}', '{"type":"ok","version":2}', '{"type":"value","found":true,"value":"azul"}', '{"type":"value","found":false,"value":""}', ''].join('\n');

interface PackResult {
  readonly filename: string;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

/**
 * `npm pack` runs `prepack`, which rebuilds dist/. The sibling packages link to this package's dist/ and may be
 * testing at the same time, so the pack runs in a copy of this folder alone (nothing of the workspace around it),
 * with its node_modules linked in.
 */
async function packCopy(workDir: string): Promise<PackResult> {
  const stagedPackage = path.join(workDir, 'codec');
  await cp(packageDir, stagedPackage, {
    recursive: true,
    filter: source => !['node_modules', 'dist'].includes(path.basename(source)) && !path.basename(source).startsWith('.dist-'),
  });
  await symlink(path.join(packageDir, 'node_modules'), path.join(stagedPackage, 'node_modules'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: stagedPackage, maxBuffer: 16 << 20 });
  // Lifecycle banners may precede the JSON.
  const [result] = JSON.parse(stdout.slice(stdout.search(/^\[/m))) as PackResult[];
  return result!;
}

test('npm pack → install in a fresh project → the examples compile with tsc --strict and talk to each other', async t => {
  t.timeout(5 * 60_000, 'npm install from the registry');
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'codec-pack-'));
  t.teardown(() => rm(workDir, { recursive: true, force: true }));

  const packed = await packCopy(workDir);
  const files = packed.files.map(file => file.path).sort();
  t.log(`${packed.filename}: ${files.length} files`);
  for (const required of [
    'package.json',
    'README.md',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/testing/index.js',
    'dist/testing/index.d.ts',
    'examples/kv/kv-protocol.ts',
    'examples/kv/kv-server.ts',
    'examples/kv/kv-client.ts',
    'examples/kv/kv.test.ts',
    'examples/kv/main.ts',
    'examples/tsconfig.json',
  ]) {
    t.true(files.includes(required), `${required} is in the tarball`);
  }
  t.deepEqual(
    files.filter(file => /(^src\/|^dist\/.*\.test\.|\/bench\/|node_modules|^examples\/dist\/|\.map$)/.test(file)),
    [],
    'no sources, tests of the library, benchmarks, source maps or build leftovers',
  );

  const project = path.join(workDir, 'project');
  await mkdir(project);
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'kv-example', private: true, type: 'module' }, null, 2));
  await run('npm', ['install', '--no-audit', '--no-fund', path.join(workDir, packed.filename), 'typescript@5.9', '@types/node@20'], { cwd: project, maxBuffer: 16 << 20 });
  await cp(path.join(packageDir, 'examples'), path.join(project, 'examples'), { recursive: true, filter: source => path.basename(source) !== 'dist' });

  const tsconfig = JSON.parse(await readFile(path.join(project, 'examples', 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  t.not(tsconfig.compilerOptions['skipLibCheck'], true);
  const tsc = path.join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  const compiled = await run(process.execPath, [tsc, '-p', 'examples', '--strict', '--skipLibCheck', 'false', '--listFiles'], { cwd: project, maxBuffer: 16 << 20 }).catch(
    (error: { stdout?: string }) => {
      throw new Error(`tsc failed:\n${error.stdout ?? String(error)}`);
    },
  );
  // The declarations name no binary-parser type: a user never needs its internals (nor its types).
  t.false(compiled.stdout.includes('node_modules/binary-parser/'), 'no binary-parser declarations are loaded');
  t.true(compiled.stdout.includes('node_modules/@tp0/codec/dist/index.d.ts'), 'the example uses the installed package');

  const main = await run(process.execPath, ['examples/dist/kv/main.js'], { cwd: project });
  t.is(main.stdout, EXPECTED_OUTPUT);
  t.is(main.stderr, '');
  const tests = await run(process.execPath, ['--test', 'examples/dist/kv/kv.test.js'], { cwd: project }).catch((error: { stdout?: string }) => {
    throw new Error(`the example's tests failed:\n${error.stdout ?? String(error)}`);
  });
  t.regex(tests.stdout, /^# pass 3$/m);
  t.regex(tests.stdout, /^# fail 0$/m);
});
