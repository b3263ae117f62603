// Bundles the compiled apps into single ESM files for the Docker images, so an
// image holds node plus one file per entry point and no node_modules.
//   packages/server/dist/main.js      -> docker/dist/server.mjs
//   packages/client/dist/main.js      -> docker/dist/client.mjs
//   packages/server/dist/*-worker.js  -> docker/dist/*-worker.mjs
// Worker bundles keep their base name with the .mjs extension: the server finds
// a worker next to its own file, with its own file's extension.
//
// Usage: node docker/bundle.mjs [--root DIR] [--out DIR]
//   --root  repository root holding packages/ (default: this repo)
//   --out   output directory (default: <root>/docker/dist); emptied first
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { root: { type: 'string' }, out: { type: 'string' } },
});
const root = resolve(args.root ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const outDir = resolve(args.out ?? join(root, 'docker', 'dist'));

// ESM output has no require/__filename/__dirname, but bunyan and other CJS
// dependencies use them. esbuild's require shim calls the global `require`, so
// that one is declared under its own name (esbuild renames any app binding
// that would collide with it). The other two go through `define`, which only
// replaces free identifiers, so an app's own top-level `const __dirname`
// cannot clash with the banner.
const banner = [
  "import { createRequire as __tp0CreateRequire } from 'node:module';",
  "import { fileURLToPath as __tp0FileURLToPath } from 'node:url';",
  "import { dirname as __tp0DirnameOf } from 'node:path';",
  'const require = __tp0CreateRequire(import.meta.url);',
  'const __tp0Filename = __tp0FileURLToPath(import.meta.url);',
  'const __tp0Dirname = __tp0DirnameOf(__tp0Filename);',
].join('\n');

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

async function entries() {
  const list = [
    { in: join(root, 'packages/server/dist/main.js'), out: 'server' },
    { in: join(root, 'packages/client/dist/main.js'), out: 'client' },
  ];
  const serverDist = join(root, 'packages/server/dist');
  if (existsSync(serverDist)) {
    for (const name of (await readdir(serverDist)).sort()) {
      if (name.endsWith('-worker.js')) {
        list.push({ in: join(serverDist, name), out: basename(name, '.js') });
      }
    }
  }
  return list;
}

const list = await entries();
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
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: { js: banner },
  define: { __filename: '__tp0Filename', __dirname: '__tp0Dirname' },
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
  const file = join(outDir, `${e.out}.mjs`);
  const { size } = await stat(file);
  console.log(`bundle: ${relative(root, e.in)} -> ${relative(process.cwd(), file)} (${(size / 1024).toFixed(0)} kB)`);
}
