/** Stable codes for everything that can go wrong on the wire. */
export type CodecErrorCode =
  /** A frame's length prefix (or a line) is over the configured maximum; checked before the frame is buffered. */
  | 'ERR_FRAME_TOO_LONG'
  /** The connection ended in the middle of a frame. */
  | 'ERR_UNEXPECTED_EOF'
  /** A frame is shorter than its fields, or an inner length runs past the frame's end, or it is empty. */
  | 'ERR_MALFORMED'
  /** A frame's type tag names no message type of the codec. */
  | 'ERR_UNKNOWN_TYPE'
  /** A frame holds bytes after its last field. */
  | 'ERR_TRAILING_BYTES'
  /** A string field is not valid UTF-8. */
  | 'ERR_INVALID_UTF8'
  /** A field holds a value its type does not allow: a bool other than 0 or 1, a value outside a literal set, an unknown variant tag. */
  | 'ERR_INVALID_VALUE'
  /** A message cannot be encoded (a field out of range, a string too long for its length prefix). */
  | 'ERR_ENCODE'
  /** The peer spoke a known protocol in a version this side does not support. */
  | 'ERR_UNSUPPORTED_VERSION'
  /** The first bytes of a connection match no protocol and there is no fallback. */
  | 'ERR_UNKNOWN_PROTOCOL'
  /** The peer closed the connection before the awaited message arrived. */
  | 'ERR_CONNECTION_CLOSED'
  /** A write was attempted on a socket that is closed or destroyed. */
  | 'ERR_SOCKET_CLOSED'
  /** No whole message arrived for longer than the idle timeout. */
  | 'ERR_IDLE_TIMEOUT'
  /** A request got no reply within its timeout. */
  | 'ERR_REQUEST_TIMEOUT'
  /** A reply arrived when no request was waiting for one. */
  | 'ERR_UNEXPECTED_REPLY';

export class CodecError extends Error {
  override readonly name = 'CodecError';

  constructor(
    readonly code: CodecErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isCodecError(error: unknown, code?: CodecErrorCode): error is CodecError {
  return error instanceof CodecError && (code === undefined || error.code === code);
}
