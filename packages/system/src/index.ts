/** Runs the whole system on this machine: the synthetic data generator, for the tests and the command line. */
export { generateAgencyFiles, mulberry32, parseGenerateArgs, WINNING_NUMBER, type GenerateOptions } from './gen-data.js';
export { UsageError } from './cli-args.js';
