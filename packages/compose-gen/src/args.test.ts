import test from 'ava';
import { parseArgs } from './args.js';
import type { UsageErrorCode } from './errors.js';
import { UsageError } from './errors.js';

test('OUT and N, default mode agency', (t) => {
  t.deepEqual(parseArgs(['docker-compose-dev.yaml', '5']), {
    type: 'generate',
    out: 'docker-compose-dev.yaml',
    clients: 5,
    mode: 'agency',
    target: 'compose',
    keepBets: false,
  });
});

test('--keep-bets anywhere among the arguments', (t) => {
  t.like(parseArgs(['out.yaml', '2', '--keep-bets']), { keepBets: true, target: 'compose' });
  t.like(parseArgs(['--keep-bets', '--target=compose', 'out.yaml', '2']), { keepBets: true });
});

test('--target swarm and --target=compose', (t) => {
  t.like(parseArgs(['out.yaml', '2', '--target', 'swarm']), { out: 'out.yaml', clients: 2, mode: 'agency', target: 'swarm' });
  t.like(parseArgs(['--target=compose', 'out.yaml', '2', '--mode=bet']), { mode: 'bet', target: 'compose' });
});

test('--mode before, between or after the positionals, and --mode=', (t) => {
  for (const argv of [
    ['--mode', 'echo', 'out.yaml', '2'],
    ['out.yaml', '--mode', 'echo', '2'],
    ['out.yaml', '2', '--mode=echo'],
  ]) {
    t.deepEqual(parseArgs(argv), { type: 'generate', out: 'out.yaml', clients: 2, mode: 'echo', target: 'compose', keepBets: false }, argv.join(' '));
  }
});

test('-- lets OUT start with a dash', (t) => {
  t.like(parseArgs(['--', '-out.yaml', '0']), { out: '-out.yaml', clients: 0 });
});

test('--help and -h win over everything else', (t) => {
  t.deepEqual(parseArgs(['--help']), { type: 'help' });
  t.deepEqual(parseArgs(['out.yaml', 'x', '-h']), { type: 'help' });
});

const bad: Array<[string[], UsageErrorCode, RegExp]> = [
  [[], 'ERR_MISSING_ARGUMENT', /output file/],
  [[''], 'ERR_MISSING_ARGUMENT', /output file/],
  [['out.yaml'], 'ERR_MISSING_ARGUMENT', /number of clients/],
  [['out.yaml', 'five'], 'ERR_BAD_CLIENT_COUNT', /"five" is not a whole number/],
  [['out.yaml', '2.5'], 'ERR_BAD_CLIENT_COUNT', /"2.5" is not a whole number/],
  [['out.yaml', '5x'], 'ERR_BAD_CLIENT_COUNT', /"5x" is not a whole number/],
  [['out.yaml', '1e2'], 'ERR_BAD_CLIENT_COUNT', /"1e2" is not a whole number/],
  [['out.yaml', ' 5'], 'ERR_BAD_CLIENT_COUNT', /" 5" is not a whole number/],
  [['out.yaml', ''], 'ERR_BAD_CLIENT_COUNT', /"" is not a whole number/],
  [['out.yaml', '-3'], 'ERR_BAD_CLIENT_COUNT', /"-3" is negative/],
  [['out.yaml', '253'], 'ERR_BAD_CLIENT_COUNT', /"253" is more than 252/],
  [['out.yaml', '5', '--mode', 'loud'], 'ERR_BAD_MODE', /unknown mode "loud"/],
  [['out.yaml', '5', '--mode'], 'ERR_BAD_MODE', /--mode needs a value/],
  [['out.yaml', '5', '--target', 'k8s'], 'ERR_BAD_TARGET', /unknown target "k8s"/],
  [['out.yaml', '5', '--target'], 'ERR_BAD_TARGET', /--target needs a value/],
  [['out.yaml', '5', '--verbose'], 'ERR_UNKNOWN_FLAG', /unknown flag "--verbose"/],
  [['out.yaml', '5', '-x'], 'ERR_UNKNOWN_FLAG', /unknown flag "-x"/],
  [['out.yaml', '5', '6'], 'ERR_EXTRA_ARGUMENT', /unexpected argument "6"/],
  [['out.yaml', '5', '--keep-bets', '--target', 'swarm'], 'ERR_KEEP_BETS_TARGET', /--keep-bets is for --target compose/],
];

for (const [argv, code, message] of bad) {
  test(`rejects ${JSON.stringify(argv)}`, (t) => {
    const err = t.throws(() => parseArgs(argv), { instanceOf: UsageError, message });
    t.is(err?.code, code);
  });
}
