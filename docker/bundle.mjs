// Bundles the compiled apps for the Docker images, so an image holds node plus one script per app and no
// node_modules:
//   packages/server/dist/main.js -> docker/dist/server.cjs
//   packages/client/dist/main.js -> docker/dist/client.cjs
// Each image runs its script as `node /app/<name>.cjs`; the local runner runs these files the same way.
//
// Usage: node docker/bundle.mjs [--root DIR] [--out DIR]
//   --root  repository root holding packages/ (default: this repo)
//   --out   output directory (default: <root>/docker/dist); emptied first
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdir, rm, stat } from 'node:fs/promises';
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
  // wraps every function and class in a `__name()` call, run at each creation of a closure too.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});

for (const e of list) {
  const file = join(outDir, `${e.out}.cjs`);
  const { size } = await stat(file);
  console.log(`bundle: ${relative(root, e.in)} -> ${relative(process.cwd(), file)} (${(size / 1024).toFixed(0)} kB)`);
}
