// Builds dist/ without ever leaving a broken one: tsc writes to a fresh temporary folder, and only a successful
// build replaces dist/ (a rename, so readers see the old tree or the new one). A failed build leaves dist/ as it was.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(packageDir, 'dist');
const staging = mkdtempSync(path.join(packageDir, '.dist-'));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', path.join(packageDir, 'tsconfig.build.json'), '--outDir', staging], { stdio: 'inherit' });
} catch {
  rmSync(staging, { recursive: true, force: true });
  console.error('build failed: dist/ left as it was');
  process.exit(1);
}
const old = `${staging}-old`;
if (existsSync(dist)) renameSync(dist, old);
renameSync(staging, dist);
rmSync(old, { recursive: true, force: true });
