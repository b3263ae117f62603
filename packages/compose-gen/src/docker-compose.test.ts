import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { composeFor } from './compose.js';
import { MODES } from './mode.js';
import { run, tempDir } from './test/run.js';

// Each Compose implementation found on this machine checks the generated file; one that is missing is skipped,
// and says so (`make test` installs both). The version pattern tells 1.29 from a v2 binary also named docker-compose.
const implementations: Array<[string, string, string[], RegExp]> = [
  ['docker-compose 1.x', 'docker-compose', [], /^docker-compose version 1\./],
  ['Compose v2', 'docker', ['compose'], /version v?2\./i],
];

function available(command: string, prefix: string[], version: RegExp): boolean {
  const probe = spawnSync(command, [...prefix, 'version'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0 && version.test(probe.stdout);
}

const hasV1 = available('docker-compose', [], /^docker-compose version 1\./);

for (const [name, command, prefix, version] of implementations) {
  const check = available(command, prefix, version) ? test : test.skip;
  check(`${name} accepts the file in every mode, with and without --keep-bets`, (t) => {
    const dir = tempDir(t);
    for (const mode of MODES) {
      for (const keepBets of [false, true]) {
        const file = join(dir, `${mode}-${keepBets}.yaml`);
        writeFileSync(file, stringify(composeFor({ clients: 3, mode, keepBets })));
        const result = run(command, [...prefix, '-f', file, 'config', '-q'], dir);
        t.is(result.status, 0, `${mode}, keepBets ${keepBets}: ${result.stderr}`);
      }
    }
  });
}

// Shows the 1.x check above is real, and why the generator never writes `name:`.
(hasV1 ? test : test.skip)('docker-compose 1.x rejects a top-level name: key', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'named.yaml');
  writeFileSync(file, stringify({ name: 'tp0', ...composeFor({ clients: 1, mode: 'echo' }) }));
  const result = run('docker-compose', ['-f', file, 'config', '-q'], dir);
  t.not(result.status, 0);
  t.regex(result.stderr, /'name' does not match/);
});
