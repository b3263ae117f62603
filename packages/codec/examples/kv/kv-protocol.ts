import { enumOf, fields, message, protocol, u8, type RequestOf, type ResponseOf } from '@tp0/codec';

export enum KvError {
  BadRequest = 1,
}

// Every frame: u32 payload length | u8 tag | fields. str16/str32: u16/u32 byte length | UTF-8.
export const kv = protocol('kv', {
  requests: [
    message(0x01, 'put', fields().str16('key').str32('value')),
    message(0x02, 'get', fields().str16('key')),
  ],
  responses: [
    message(0x81, 'ok', fields().u32('version')),
    message(0x82, 'value', fields().bool('found').str32('value')),
    message(0x83, 'error', fields().field('code', enumOf(u8, KvError)).str16('message')),
  ],
}, { maxFrameLength: 64 * 1024 });

export type KvRequest = RequestOf<typeof kv>;
export type KvResponse = ResponseOf<typeof kv>;
