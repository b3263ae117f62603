import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './errors.js';

/** Rejects an output path that cannot be written, before anything is written. */
export function checkOutputPath(out: string): void {
  const dir = dirname(out);
  const dirStat = statSync(dir, { throwIfNoEntry: false });
  if (dirStat === undefined) {
    throw new UsageError('ERR_BAD_OUTPUT_PATH', `directory ${JSON.stringify(dir)} of the output file does not exist`);
  }
  if (!dirStat.isDirectory()) {
    throw new UsageError('ERR_BAD_OUTPUT_PATH', `${JSON.stringify(dir)} in the output path is not a directory`);
  }
  if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError('ERR_BAD_OUTPUT_PATH', `output ${JSON.stringify(out)} is a directory`);
  }
}

/**
 * Writes through a temporary file in the same directory and renames it over `out`, so a failure
 * leaves no file and a reader never sees half a file (rename is atomic within one filesystem).
 */
export function writeFileAtomically(out: string, text: string): void {
  const temp = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, text, { flag: 'wx' });
    renameSync(temp, out);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
