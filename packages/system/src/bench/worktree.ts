import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/** A detached checkout of another commit of this repository, with its own node_modules and builds. */
export interface Worktree {
  readonly dir: string;
  /** The commit checked out, abbreviated. */
  readonly commit: string;
}

/** Runs a command to completion; on failure the error names the command and ends with its output. */
export async function runCommand(file: string, args: readonly string[], cwd: string, timeoutMs = 600_000): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, [...args], { cwd, timeout: timeoutMs, maxBuffer: 64 << 20 });
    return (stdout + stderr).trimEnd();
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const tail = (stdout + stderr).trimEnd().split('\n').slice(-30).join('\n');
    throw new Error(`\`${file} ${args.join(' ')}\` in ${cwd} failed: ${(error as Error).message.split('\n')[0]}\n${tail}`, { cause: error });
  }
}

/** `git worktree add --detach <dir> <ref>`: a checkout sharing this repository's objects, no branch moved. */
export async function addWorktree(repo: string, ref: string, dir: string): Promise<Worktree> {
  const commit = (await runCommand('git', ['rev-parse', '--short', `${ref}^{commit}`], repo)).trim();
  await runCommand('git', ['worktree', 'add', '--detach', dir, commit], repo);
  return { dir, commit };
}

/**
 * Installs (offline when the store has every package), builds every package and bundles the apps as the Docker
 * images run them: the worktree's docker/dist (as that commit's docker/bundle.mjs writes it).
 */
export async function buildBundles(tree: Worktree, log: (step: string) => void): Promise<string> {
  const steps: Array<[string, string[]]> = [
    ['pnpm', ['install', '--frozen-lockfile', '--prefer-offline']],
    ['pnpm', ['-r', 'build']],
    [process.execPath, ['docker/bundle.mjs']],
  ];
  for (const [file, args] of steps) {
    const started = performance.now();
    await runCommand(file, args, tree.dir);
    log(`${path.basename(file)} ${args.join(' ')}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return path.join(tree.dir, 'docker', 'dist');
}

/** `git worktree remove --force`, then `git worktree prune` for a directory already gone. Never throws. */
export async function removeWorktree(repo: string, tree: Worktree): Promise<string | null> {
  try {
    await runCommand('git', ['worktree', 'remove', '--force', tree.dir], repo);
    return null;
  } catch (error) {
    await runCommand('git', ['worktree', 'prune'], repo).catch(() => '');
    return (error as Error).message;
  }
}
