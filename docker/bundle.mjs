// Bundles the compiled apps for the Docker images, so an image holds node plus three files per app and no
// node_modules:
//   packages/server/dist/main.js -> docker/dist/server.cjs, started by docker/dist/server.mjs
//   packages/client/dist/main.js -> docker/dist/client.cjs, started by docker/dist/client.mjs
// Each bundle is a CommonJS script that its .mjs starter compiles with V8's code cache (<name>.cjs.cache, written
// here by one start of the app that stops at its missing config): at every start, the bytecode of what start-up
// runs is loaded rather than compiled again (-9 ms a process, see the README). A cache that does not fit the node
// running it (another version, other V8 flags) is rejected by V8 and the bundle is compiled as usual.
//
// Usage: node docker/bundle.mjs [--root DIR] [--out DIR]
//   --root  repository root holding packages/ (default: this repo)
//   --out   output directory (default: <root>/docker/dist); emptied first
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { root: { type: 'string' }, out: { type: 'string' } },
});
const root = resolve(args.root ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const outDir = resolve(args.out ?? join(root, 'docker', 'dist'));

// bunyan require()s these inside try/catch and works without them; bundling
// would fail (not installed) or pull native code (dtrace-provider).
const external = ['dtrace-provider', 'mv', 'safe-json-stringify', 'moment', 'source-map-support'];

// rxjs's exports map sends platform 'node' to its CommonJS build, which esbuild cannot tree-shake: all of rxjs
// (446 modules) would be in each bundle and run at every start. Its ES module build (the 'es2015' condition)
// keeps only what the apps use.
const rxjsEsm = {
  name: 'rxjs-esm',
  setup(build) {
    build.onResolve({ filter: /^rxjs$/ }, ({ resolveDir }) => {
      const pkg = createRequire(join(resolveDir, 'noop.js')).resolve('rxjs/package.json');
      return { path: join(dirname(pkg), 'dist/esm/index.js') };
    });
  },
};

// The V8 flags each app runs with (image, local runner): its code cache must be written under the same flags.
const nodeFlags = JSON.parse(await readFile(join(root, 'docker/node-flags.json'), 'utf8'));

const list = [
  { in: join(root, 'packages/server/dist/main.js'), out: 'server' },
  { in: join(root, 'packages/client/dist/main.js'), out: 'client' },
];
const missing = list.filter((e) => !existsSync(e.in));
if (missing.length > 0) {
  for (const e of missing) console.error(`bundle: missing ${relative(root, e.in)} (run pnpm -r build)`);
  process.exit(1);
}

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });

await build({
  entryPoints: list,
  outdir: outDir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external,
  plugins: [rxjsEsm],
  // Whitespace and syntax minified: V8 parses the whole file at every start, and a smaller file starts sooner.
  // Identifiers are not mangled, so stack traces in container logs keep the source's names. No `keepNames`: it
  // wraps every function and class in a `__name()` call, at each creation of a closure too (-11% agency CPU).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});

for (const e of list) {
  await writeFile(join(outDir, `${e.out}.mjs`), starter(e.out));
  // The app stops at its missing config once its modules have loaded: what every start compiles is in the cache.
  const cwd = await mkdtemp(join(tmpdir(), 'tp0-code-cache-'));
  try {
    execFileSync(process.execPath, [...nodeFlags[e.out], join(outDir, `${e.out}.mjs`)], {
      cwd,
      env: { PATH: process.env.PATH, TP0_WRITE_CODE_CACHE: '1', CONFIG_FILE: join(cwd, 'none.ini'), CLI_CONFIG_FILE: join(cwd, 'none.yaml') },
      stdio: 'ignore',
    });
  } catch {
    // exit 1: the missing config, as intended
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
  if (!existsSync(join(outDir, `${e.out}.cjs.cache`))) {
    console.error(`bundle: ${e.out}.mjs wrote no code cache`);
    process.exit(1);
  }
}

/**
 * The ES module that starts `<name>.cjs` with its code cache. TP0_WRITE_CODE_CACHE=1 writes the cache at exit;
 * TP0_CODE_CACHE_REPORT=1 says on stderr whether V8 took it (`code cache: accepted`).
 */
function starter(name) {
  return `// Starts ${name}.cjs (the esbuild bundle) with V8's code cache, ${name}.cjs.cache: see docker/bundle.mjs.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const file = fileURLToPath(new URL('./${name}.cjs', import.meta.url));
let cachedData;
try {
  cachedData = readFileSync(\`\${file}.cache\`);
} catch {}
const script = new Script(\`(function (exports, require, module, __filename, __dirname) {\${readFileSync(file, 'utf8')}\\n})\`, { filename: file, cachedData });
if (process.env.TP0_CODE_CACHE_REPORT === '1') process.stderr.write(\`code cache: \${cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted'}\\n\`);
if (process.env.TP0_WRITE_CODE_CACHE === '1') process.once('exit', () => writeFileSync(\`\${file}.cache\`, script.createCachedData()));
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
`;
}

for (const e of list) {
  const file = join(outDir, `${e.out}.cjs`);
  const { size } = await stat(file);
  console.log(`bundle: ${relative(root, e.in)} -> ${relative(process.cwd(), file)} (${(size / 1024).toFixed(0)} kB)`);
}
