/** What the server answers when it cannot do what a message asks: each failure mapped to its ErrorCode. */
import type { CodecError, CodecErrorCode } from '@tp0/codec';
import { ErrorCode, type LotteryMessageOf } from '@tp0/protocol';
import type { LotteryError } from './lottery.js';
import { WriterClosedError } from './storage/bet-writer.js';

export type ErrorReply = LotteryMessageOf<'error'>;

export const errorReply = (code: ErrorCode, message: string): ErrorReply => ({ type: 'error', code, message });

const DECODE_ERROR_CODES: Partial<Record<CodecErrorCode, ErrorCode>> = {
  ERR_FRAME_TOO_LONG: ErrorCode.FRAME_TOO_LARGE,
  ERR_UNSUPPORTED_VERSION: ErrorCode.UNSUPPORTED_VERSION,
};

/** A frame that could not be decoded: FRAME_TOO_LARGE for a length prefix over the limit, else MALFORMED. */
export function decodeErrorReply(err: CodecError): ErrorReply {
  return errorReply(DECODE_ERROR_CODES[err.code] ?? ErrorCode.MALFORMED, err.message);
}

/** A request the lottery refused; LotteryError codes are ErrorCode names. */
export function lotteryErrorReply(err: LotteryError): ErrorReply {
  return errorReply(ErrorCode[err.code], err.message);
}

/** Bets the writer did not store: SHUTTING_DOWN once the file is closing, STORAGE_FAILURE otherwise. */
export function storageErrorReply(err: Error): ErrorReply {
  const code = err instanceof WriterClosedError ? ErrorCode.SHUTTING_DOWN : ErrorCode.STORAGE_FAILURE;
  return errorReply(code, `bets not stored: ${err.message}`);
}
