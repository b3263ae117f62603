import { MAX_CLIENTS } from './compose.js';
import { UsageError, type UsageErrorCode } from './errors.js';
import { DEFAULT_MODE, MODES, isMode } from './mode.js';
import type { Mode } from './mode.js';
import { DEFAULT_TARGET, TARGETS, isTarget } from './target.js';
import type { Target } from './target.js';

export type Command =
  | { readonly type: 'help' }
  | {
      readonly type: 'generate';
      readonly out: string;
      readonly clients: number;
      readonly mode: Mode;
      readonly target: Target;
      readonly keepBets: boolean;
    };

export const USAGE = `Usage: generar-compose.sh OUT N [--mode ${MODES.join('|')}] [--target ${TARGETS.join('|')}] [--keep-bets]

Writes a Docker Compose file OUT with a server and N clients (0 to ${MAX_CLIENTS}).

  OUT              output file; its directory must exist. Paths inside it are
                   relative to its folder and point into this repository
  N                number of clients (agencies)
  --mode MODE      what the clients run (default ${DEFAULT_MODE}):
                     echo    exercises 1-4, the echo protocol
                     bet     exercise 5, one bet per client from env
                     agency  exercises 6-8, bets from .data/agency-<i>.csv
  --target TARGET  what the file is for (default ${DEFAULT_TARGET}):
                     compose  docker-compose up, one host
                     swarm    docker stack deploy, a swarm of one or more nodes
  --keep-bets      compose only: bets.csv on the named volume \`bets\`, so
                   \`down\` then \`up\` resumes the lottery (\`down -v\` drops
                   it). Without it every \`up\` after \`down\` is a new lottery
  -h, --help       show this help`;

/** Parses the arguments after `node cli.js`; throws UsageError naming the first problem. */
export function parseArgs(argv: readonly string[]): Command {
  const positionals: string[] = [];
  let mode: Mode = DEFAULT_MODE;
  let target: Target = DEFAULT_TARGET;
  let keepBets = false;
  let flagsEnded = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    // "-3" is a (negative) count, not a flag: reported as such below.
    if (flagsEnded || !arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positionals.push(arg);
    } else if (arg === '--') {
      flagsEnded = true;
    } else if (arg === '-h' || arg === '--help') {
      return { type: 'help' };
    } else if (arg === '--keep-bets') {
      keepBets = true;
    } else if (/^--(mode|target)(=|$)/.test(arg)) {
      // `--flag VALUE` or `--flag=VALUE`
      const equals = arg.indexOf('=');
      const value = equals === -1 ? argv[++i] : arg.slice(equals + 1);
      if (arg.startsWith('--mode')) mode = parseChoice('mode', MODES, isMode, 'ERR_BAD_MODE', value);
      else target = parseChoice('target', TARGETS, isTarget, 'ERR_BAD_TARGET', value);
    } else {
      throw new UsageError('ERR_UNKNOWN_FLAG', `unknown flag ${JSON.stringify(arg)}`);
    }
  }
  const [out, count, ...extra] = positionals;
  if (out === undefined || out === '') throw new UsageError('ERR_MISSING_ARGUMENT', 'missing the output file (OUT)');
  if (count === undefined) throw new UsageError('ERR_MISSING_ARGUMENT', 'missing the number of clients (N)');
  if (extra.length > 0) {
    throw new UsageError('ERR_EXTRA_ARGUMENT', `unexpected argument ${JSON.stringify(extra[0])}`);
  }
  if (keepBets && target !== 'compose') {
    throw new UsageError(
      'ERR_KEEP_BETS_TARGET',
      '--keep-bets is for --target compose: a swarm stack always keeps its bets on a volume for the life of the deployment (make swarm-down removes it)',
    );
  }
  return { type: 'generate', out, clients: parseClientCount(count), mode, target, keepBets };
}

/** The value of `--flag`, one of `choices`; a UsageError with `code` when it is missing or unknown. */
function parseChoice<T extends string>(flag: string, choices: readonly T[], isChoice: (value: string) => value is T, code: UsageErrorCode, value: string | undefined): T {
  if (value === undefined) throw new UsageError(code, `--${flag} needs a value: ${choices.join(', ')}`);
  if (!isChoice(value)) throw new UsageError(code, `unknown ${flag} ${JSON.stringify(value)}: expected ${choices.join(', ')}`);
  return value;
}

/** Digits only: Number() would accept "", " 5", "0x5", "1e2" and "5.0". */
function parseClientCount(text: string): number {
  const problem = (why: string) => new UsageError('ERR_BAD_CLIENT_COUNT', `number of clients ${JSON.stringify(text)} ${why}`);
  if (/^-\d+$/.test(text)) throw problem('is negative');
  if (!/^\d+$/.test(text)) throw problem('is not a whole number');
  const clients = Number(text);
  if (clients > MAX_CLIENTS) throw problem(`is more than ${MAX_CLIENTS}, the most the /24 network holds beside the server`);
  return clients;
}
