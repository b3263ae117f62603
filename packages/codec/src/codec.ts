import type { Transform } from 'node:stream';

/**
 * A wire format: how bytes become messages and messages become bytes. Each connection gets fresh decoder stages.
 * `In` is what is read, `Out` what is written (the same type for symmetric protocols).
 */
export interface Codec<In, Out = In> {
  readonly name: string;
  /** Transforms from raw bytes to `In` messages, in order; the last one is in readable object mode. */
  createDecoders(): Transform[];
  /** The bytes of one message, framing included. */
  encode(message: Out): Buffer;
}
