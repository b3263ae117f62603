/**
 * @tp0/server — the Lotería Nacional central server: stores the agencies' bets in bets.csv, runs the draw once
 * every agency finished, and tells each agency its own winners. Also answers the course's line echo protocol.
 *
 * @example
 * const server = await startServer(loadConfig(), createLogger({ name: 'server', level: 'INFO' }));
 * // ... later
 * await server.close();
 */
export { loadConfig, parseConfig, type FsyncMode, type ServerConfig } from './config.js';
export { startServer, type RunningServer } from './server.js';
export { BetRowError, hasWon, loadBets, LOTTERY_WINNER_NUMBER, storeBets, STORAGE_FILEPATH } from './storage/bets.js';
