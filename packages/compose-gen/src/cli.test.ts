import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import { composeFor } from './compose.js';
import { MODES } from './mode.js';
import { stackFor } from './stack.js';
import { PACKAGE_DIR, placementOf, run, runCli, tempDir } from './test/run.js';

for (const mode of MODES) {
  test(`writes ${mode} mode and prints only the two course lines`, (t) => {
    const out = join(tempDir(t), 'docker-compose-dev.yaml');
    const result = runCli([out, '3', '--mode', mode]);
    t.is(result.status, 0, result.stderr);
    t.is(result.stdout, `Nombre del archivo de salida: ${out}\nCantidad de clientes: 3\n`);
    t.is(result.stderr, '');
    t.deepEqual(parse(readFileSync(out, 'utf8')), composeFor({ clients: 3, mode, placement: placementOf(out) }));
  });
}

test('--target swarm writes the stack file', (t) => {
  const out = join(tempDir(t), 'stack.yaml');
  const result = runCli([out, '4', '--target', 'swarm']);
  t.is(result.status, 0, result.stderr);
  t.is(result.stdout, `Nombre del archivo de salida: ${out}\nCantidad de clientes: 4\n`);
  t.deepEqual(parse(readFileSync(out, 'utf8')), stackFor({ clients: 4, mode: 'agency', placement: placementOf(out) }));
});

test('a relative OUT is written in the working folder, with paths from there', (t) => {
  const dir = tempDir(t);
  const result = run(process.execPath, [`--import=${import.meta.resolve('tsx')}`, join(PACKAGE_DIR, 'src/cli.ts'), 'out.yaml', '1'], dir);
  t.is(result.status, 0, result.stderr);
  t.deepEqual(parse(readFileSync(join(dir, 'out.yaml'), 'utf8')), composeFor({ clients: 1, mode: 'agency', placement: placementOf(join(dir, 'out.yaml')) }));
});

test('mode defaults to agency; 0 clients gives a lone server', (t) => {
  const out = join(tempDir(t), 'out.yaml');
  t.is(runCli([out, '0']).status, 0);
  t.deepEqual(parse(readFileSync(out, 'utf8')), composeFor({ clients: 0, mode: 'agency', placement: placementOf(out) }));
});

test('replaces an existing file and leaves no temporary file behind', (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'out.yaml');
  writeFileSync(out, 'old');
  t.is(runCli([out, '2', '--mode=echo']).status, 0);
  t.deepEqual(parse(readFileSync(out, 'utf8')), composeFor({ clients: 2, mode: 'echo', placement: placementOf(out) }));
  t.deepEqual(readdirSync(dir), ['out.yaml']);
});

test('--help prints the usage on stdout', (t) => {
  const result = runCli(['--help']);
  t.is(result.status, 0);
  t.regex(result.stdout, /^Usage: generar-compose\.sh OUT N \[--mode echo\|bet\|agency\] \[--target compose\|swarm\]/);
});

const bad: Array<[string, (out: string) => string[], RegExp]> = [
  ['no arguments', () => [], /missing the output file/],
  ['no count', (out) => [out], /missing the number of clients/],
  ['a word as count', (out) => [out, 'five'], /"five" is not a whole number/],
  ['a fraction', (out) => [out, '2.5'], /"2.5" is not a whole number/],
  ['a count with a suffix', (out) => [out, '5x'], /"5x" is not a whole number/],
  ['a negative count', (out) => [out, '-1'], /"-1" is negative/],
  ['too many clients', (out) => [out, '300'], /"300" is more than 252/],
  ['an unknown mode', (out) => [out, '3', '--mode', 'loud'], /unknown mode "loud"/],
  ['an unknown target', (out) => [out, '3', '--target', 'k8s'], /unknown target "k8s"/],
  ['an unknown flag', (out) => [out, '3', '--force'], /unknown flag "--force"/],
  ['an extra argument', (out) => [out, '3', '4'], /unexpected argument "4"/],
];

for (const [name, argsFor, message] of bad) {
  test(`exits 2 and writes nothing on ${name}`, (t) => {
    const dir = tempDir(t);
    const result = runCli(argsFor(join(dir, 'out.yaml')));
    t.is(result.status, 2);
    t.regex(result.stderr, message);
    t.regex(result.stderr, /Usage:/);
    t.is(result.stdout, '');
    t.deepEqual(readdirSync(dir), []);
  });
}

test('a failed run keeps the previous file as it was', (t) => {
  const out = join(tempDir(t), 'out.yaml');
  writeFileSync(out, 'previous');
  t.is(runCli([out, '3', '--mode', 'loud']).status, 2);
  t.is(readFileSync(out, 'utf8'), 'previous');
});

test('exits 2 when the output directory does not exist', (t) => {
  const out = join(tempDir(t), 'missing', 'out.yaml');
  const result = runCli([out, '3']);
  t.is(result.status, 2);
  t.regex(result.stderr, /directory ".*missing" of the output file does not exist/);
  t.false(existsSync(out));
});

test('exits 2 when a parent in the output path is a file', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'file'), '');
  const result = runCli([join(dir, 'file', 'out.yaml'), '3']);
  t.is(result.status, 2);
  t.regex(result.stderr, /is not a directory/);
});

test('exits 2 when the output is a directory', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'out.yaml'));
  const result = runCli([join(dir, 'out.yaml'), '3']);
  t.is(result.status, 2);
  t.regex(result.stderr, /output ".*out\.yaml" is a directory/);
});

test('exits 1 when the output directory is not writable', (t) => {
  // root writes through file modes, so as root use /proc, where nobody can create files.
  const isRoot = process.getuid?.() === 0;
  let dir: string;
  if (isRoot) {
    t.log('running as root: using /proc as the unwritable directory');
    dir = '/proc';
  } else {
    dir = tempDir(t);
    chmodSync(dir, 0o555);
    t.teardown(() => chmodSync(dir, 0o755));
  }
  const out = join(dir, 'compose-gen-test.yaml');
  const result = runCli([out, '3']);
  t.is(result.status, 1);
  t.regex(result.stderr, /cannot write ".*compose-gen-test\.yaml"/);
  t.is(result.stdout, '');
  t.false(existsSync(out));
  if (!isRoot) t.deepEqual(readdirSync(dir), []);
});
