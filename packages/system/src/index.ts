/** Runs the whole system on this machine: synthetic data generator (more to come: local runner, e2e tests). */
export { generateAgencyFiles, mulberry32, parseGenerateArgs, WINNING_NUMBER, type GenerateOptions } from './gen-data.js';
export { UsageError } from './cli-args.js';
