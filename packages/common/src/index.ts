/**
 * Shared by the server and the client: the course's log lines over bunyan, Go-style durations and config errors.
 */
export { ConfigError, loadConfigOrExit } from './config-error.js';
export { formatDuration, parseDuration } from './duration.js';
export { parseLevel, type LevelName } from './levels.js';
export { formatLogLine, parseLogLine, sanitizeValue, type LogFields, type LogResult, type ParsedLogLine } from './log-line.js';
export { createLogger, formatFromEnv, formatRecord, type CourseLogger, type LogFormat, type LoggerOptions } from './logger.js';
