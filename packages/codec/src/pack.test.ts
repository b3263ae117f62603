/**
 * The package as an outside user gets it: `npm pack`, installed into a fresh project with registry packages only,
 * the examples compiled with `tsc --strict` (no skipLibCheck: the shipped .d.ts must type-check) and run.
 */
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

const EXPECTED_CLIENT_OUTPUT = ['put color=verde: color holds 1 value(s)', 'put ciudad=Ñandubay: ciudad holds 1 value(s)', 'put color=azul: color holds 2 value(s)', ''].join('\n');

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

async function startServer(cwd: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const server = spawn(process.execPath, ['examples/dist/kv-server.js'], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(server, 'exit');
  const lines = createInterface({ input: server.stdout });
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill();
    await exited;
  };
  for await (const line of lines) {
    const listening = /^kv server listening on 127\.0\.0\.1:(\d+)$/.exec(line);
    if (listening) return { port: Number(listening[1]), stop };
  }
  await stop();
  throw new Error('the example server exited without listening');
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
    'examples/kv-protocol.ts',
    'examples/kv-server.ts',
    'examples/kv-client.ts',
    'examples/tsconfig.json',
  ]) {
    t.true(files.includes(required), `${required} is in the tarball`);
  }
  t.deepEqual(
    files.filter(file => /(^src\/|\.test\.|\/bench\/|node_modules|^examples\/dist\/)/.test(file)),
    [],
    'no sources, tests, benchmarks or build leftovers',
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
  // The shipped .d.ts import binary-parser's types by path; they resolve through its "./*" export.
  t.true(compiled.stdout.includes('node_modules/binary-parser/dist/binary_parser.d.ts'), 'binary-parser types resolved');
  t.true(compiled.stdout.includes('node_modules/@tp0/codec/dist/index.d.ts'), 'the example uses the installed package');

  const server = await startServer(project);
  t.teardown(server.stop);
  const client = await run(process.execPath, ['examples/dist/kv-client.js', String(server.port)], { cwd: project });
  t.is(client.stdout, EXPECTED_CLIENT_OUTPUT);
  t.is(client.stderr, '');
  await server.stop();
});
