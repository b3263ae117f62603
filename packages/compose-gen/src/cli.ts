#!/usr/bin/env node
import { dirname, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'yaml';
import { USAGE, parseArgs } from './args.js';
import type { Command } from './args.js';
import { composeFor } from './compose.js';
import { UsageError } from './errors.js';
import { REPO_ROOT } from './layout.js';
import { checkOutputPath, writeFileAtomically } from './output.js';
import { stackFor } from './stack.js';

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

function main(argv: readonly string[]): number {
  let command: Command;
  try {
    command = parseArgs(argv);
    if (command.type === 'generate') checkOutputPath(command.out);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (command.type === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  // Relative paths in the file resolve from its own folder, wherever that is.
  const placement = { outDir: dirname(resolve(command.out)), repoRoot: REPO_ROOT };
  const options = { clients: command.clients, mode: command.mode, placement };
  const compose = command.target === 'swarm' ? stackFor(options) : composeFor({ ...options, keepBets: command.keepBets });
  const text = stringify(compose);
  // The file must read back as exactly what was built (e.g. no env value turned into a number).
  if (!isDeepStrictEqual(parse(text), compose)) {
    process.stderr.write('error: the generated YAML does not parse back to the compose object\n');
    return EXIT_FAILURE;
  }
  try {
    writeFileAtomically(command.out, text);
  } catch (err) {
    process.stderr.write(`error: cannot write ${JSON.stringify(command.out)}: ${(err as Error).message}\n`);
    return EXIT_FAILURE;
  }
  // The same two lines as the course's generar-compose.sh.
  process.stdout.write(`Nombre del archivo de salida: ${command.out}\nCantidad de clientes: ${command.clients}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
