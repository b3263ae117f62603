import { CodecError } from '../errors.js';

// fatal: invalid UTF-8 throws instead of becoming U+FFFD. ignoreBOM: a leading U+FEFF is content, not a marker.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes a string field's bytes, rejecting invalid UTF-8 (binary-parser would turn a cut character into U+FFFD). */
export function utf8(bytes: Uint8Array, field: string): string {
  try {
    return strict.decode(bytes);
  } catch (error) {
    throw new CodecError('ERR_INVALID_UTF8', `${field} is not valid UTF-8`, { cause: error });
  }
}
