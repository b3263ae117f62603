import { binaryCodec, fields, message, type MessageOf } from '@tp0/codec';

// Every frame on the wire: u32 payload length | u8 tag | fields. Strings are u16 byte length | UTF-8.
export const kvMessageTypes = [
  // put: str16 key | str16 value
  message(0x01, 'put', fields().str16('key').str16('value')),
  // stored: str16 key | u32 count (values stored under the key so far)
  message(0x02, 'stored', fields().str16('key').u32('count')),
] as const;

export type KvMessage = MessageOf<(typeof kvMessageTypes)[number]>;

export const kvCodec = binaryCodec<KvMessage>('kv', kvMessageTypes, { maxFrameLength: 4096 });
