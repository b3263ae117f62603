import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';

export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const REPO_ROOT = join(PACKAGE_DIR, '../..');

/** Where the CLI places a file written to `out` (an absolute path). */
export function placementOf(out: string): { outDir: string; repoRoot: string } {
  return { outDir: dirname(out), repoRoot: REPO_ROOT.replace(/\/$/, '') };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion as a real child process. */
export function run(command: string, args: readonly string[], cwd: string): Run {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The CLI from source, so these tests need no build. */
export function runCli(args: readonly string[]): Run {
  return run(process.execPath, ['--import=tsx', 'src/cli.ts', ...args], PACKAGE_DIR);
}

/** A fresh directory removed when the test ends. */
export function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'compose-gen-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
