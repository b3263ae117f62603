/**
 * The course's log line: `action: <name> | result: <success|fail|in_progress> | key: value | ...`.
 * The course's black-box tests split these lines on `|`, so no value may contain `|` or a newline.
 */

export type LogResult = 'success' | 'fail' | 'in_progress';

export type LogValue = string | number | bigint | boolean | null | undefined;

export type LogFields = Readonly<Record<string, LogValue>>;

/** Makes a value safe for a `key: value` field: `|` and line breaks would split or end the line. */
export function sanitizeValue(value: LogValue): string {
  return String(value).replace(/\|/g, '/').replace(/[\r\n]+/g, ' ');
}

export function formatLogLine(action: string, result: LogResult, fields: LogFields = {}): string {
  const parts = [`action: ${sanitizeValue(action)}`, `result: ${result}`];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    parts.push(`${sanitizeValue(key)}: ${sanitizeValue(value)}`);
  }
  return parts.join(' | ');
}

export interface ParsedLogLine {
  readonly action: string;
  readonly result: string;
  readonly fields: Record<string, string>;
}

/** Parses the `action: ... | result: ...` part of a line, as the course's tests do; null when absent. */
export function parseLogLine(line: string): ParsedLogLine | null {
  const start = line.indexOf('action: ');
  if (start < 0) return null;
  const fields: Record<string, string> = {};
  for (const part of line.slice(start).split('|')) {
    const colon = part.indexOf(':');
    if (colon < 0) continue;
    fields[part.slice(0, colon).trim()] = part.slice(colon + 1).trim();
  }
  const { action, result, ...rest } = fields;
  if (action === undefined || result === undefined) return null;
  return { action, result, fields: rest };
}
