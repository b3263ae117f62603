/** Runs the whole system on this machine: synthetic data generator (more to come: local runner, e2e tests). */
export { generateAgencyFiles, mulberry32, parseGenerateArgs, UsageError, WINNING_NUMBER, type GenerateOptions } from './gen-data.js';
