import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { asUsageError, integerFlag, UsageError } from '../cli-args.js';

export interface LocalRunOptions {
  readonly agencies: number;
  /** Directory holding agency-1.csv ... agency-N.csv. */
  readonly data: string;
  readonly batch?: number;
  /** Where the server stores bets; undefined: a temp directory removed after the run. */
  readonly betsFile?: string;
  readonly quiet: boolean;
  readonly timeoutMs: number;
  /** Run the esbuild bundles (docker/dist) that the images run. */
  readonly bundled: boolean;
}

export { UsageError };

export const USAGE =
  'usage: local-run [--agencies N (5)] [--data DIR (.data)] [--batch M] [--bets-file PATH] [--quiet] [--bundled] [--timeout SECONDS (120)]';

/** The repository's .data, for runs started from another directory (pnpm --filter runs scripts in the package). */
const REPO_DATA = fileURLToPath(new URL('../../../../.data', import.meta.url));

export function parseRunArgs(argv: readonly string[], cwd = process.cwd()): LocalRunOptions {
  const { values } = asUsageError(() =>
    parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        agencies: { type: 'string', default: '5' },
        data: { type: 'string' },
        batch: { type: 'string' },
        'bets-file': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        bundled: { type: 'boolean', default: false },
        timeout: { type: 'string', default: '120' },
      },
    }),
  );
  const local = path.resolve(cwd, '.data');
  const data = values.data !== undefined ? path.resolve(cwd, values.data) : existsSync(local) ? local : REPO_DATA;
  return {
    agencies: integerFlag('agencies', values.agencies, 1, 65535),
    data,
    ...(values.batch !== undefined && { batch: integerFlag('batch', values.batch, 1, 65535) }),
    ...(values['bets-file'] !== undefined && { betsFile: path.resolve(cwd, values['bets-file']) }),
    quiet: values.quiet,
    bundled: values.bundled,
    timeoutMs: integerFlag('timeout', values.timeout, 1, 86_400) * 1000,
  };
}

/** agency-1.csv ... agency-N.csv under `dir`. */
export function agencyFiles(dir: string, agencies: number): string[] {
  return Array.from({ length: agencies }, (_, i) => path.join(dir, `agency-${i + 1}.csv`));
}
