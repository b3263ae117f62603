#!/usr/bin/env node
// `pnpm --filter compose-gen gen OUT N [...]`. pnpm runs a package's scripts in the package's folder, so a relative
// OUT would land in packages/compose-gen: run generar-compose.sh (which builds dist/ on first use) from INIT_CWD, the
// folder pnpm was started in. Plain JavaScript, so it runs on a clone that was never built.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../generar-compose.sh', import.meta.url));
const cwd = process.env.INIT_CWD || process.cwd();
const result = spawnSync('bash', [script, ...process.argv.slice(2)], { cwd, stdio: 'inherit' });
if (result.error) throw result.error;
process.exitCode = result.status ?? 1;
