import { ErrorCode, TRANSIENT_ERRORS, type LotteryResponse } from '@tp0/protocol';

/** An error with a code, as Node's system errors: `describeError` prints "CODE: message". */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A TCP connect that did not complete in `timeouts.connect`. */
export const connectTimeout = (address: string, ms: number) => new CodedError('ERR_CONNECT_TIMEOUT', `no connection to ${address} within ${ms} ms`);

/** No reply to a request within its deadline: the connection is dropped, its replies can no longer be matched. */
export const requestTimeout = (what: string, ms: number) => new CodedError('ERR_REQUEST_TIMEOUT', `no reply to ${what} within ${ms} ms`);

/** The server answered a request with an `error`. */
export class ServerError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly serverMessage: string,
  ) {
    super(`server error ${code}: ${serverMessage}`);
  }
}

/** A reply that breaks the protocol (wrong type, count or agency): never retried, the server is not one we can trust. */
export class ProtocolViolation extends Error {
  constructor(expected: string, got: string) {
    super(`expected ${expected}, got ${got}`);
  }
}

/** The agency's file is not what the server stored for it (fewer rows than stored). */
export class FileMismatch extends Error {}

/** Transport failures that a new connection may not have: the server restarted, or a passing network fault. */
const TRANSPORT = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ERR_SOCKET_CLOSED',
  'ERR_CONNECTION_CLOSED',
  'ERR_UNEXPECTED_EOF',
  'ERR_CONNECT_TIMEOUT',
  'ERR_REQUEST_TIMEOUT',
]);

/**
 * Whether a failed session may succeed on a new connection: transport failures, timeouts and the server's
 * TRANSIENT_ERRORS. AGENCY_BUSY only once this client had a session bound (`bound`): then the busy connection is
 * likely our own dead one, which the server has not noticed yet; on a first connection it means another client
 * uses our id.
 */
export function isRetryable(error: unknown, bound: boolean): boolean {
  if (error instanceof ServerError) return TRANSIENT_ERRORS.has(error.code) || (bound && error.code === ErrorCode.AGENCY_BUSY);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSPORT.has(code);
}

/** `reply` as the `type` expected, or the failure it stands for: a ServerError, or a ProtocolViolation. */
export function expectReply<T extends LotteryResponse['type']>(reply: LotteryResponse, type: T, to: string): Extract<LotteryResponse, { type: T }> {
  if (reply.type === type) return reply as Extract<LotteryResponse, { type: T }>;
  if (reply.type === 'error') throw new ServerError(reply.code, reply.message);
  throw new ProtocolViolation(`${type} in reply to ${to}`, reply.type);
}
