import { Parser } from 'binary-parser';
import { END_OFFSET, utf8 } from '../binary/parse.js';
import type { MessageType } from '../binary/message-type.js';
import type { BufferWriter } from '../binary/writer.js';

/** One bet as it travels. The document is an identifier: its leading zeros are kept. */
export interface WireBet {
  readonly firstName: string;
  readonly lastName: string;
  readonly document: string;
  /** YYYY-MM-DD. */
  readonly birthdate: string;
  readonly number: number;
}

/** Error codes of the `error` reply. */
export enum ErrorCode {
  /** The frame could not be decoded (garbage, truncated, unknown type); the server closes the connection. */
  MALFORMED = 1,
  /** A bet broke a rule (empty name, bad document, date or number); the whole batch was rejected, nothing stored. */
  INVALID_BET = 2,
  /** The agency id is outside 1..N, or the agency already said it finished. */
  UNKNOWN_AGENCY = 3,
  /** A frame's length prefix is over the limit; the server closes the connection. */
  FRAME_TOO_LARGE = 4,
  /** A message that the server does not accept from a client (an ack or winners reply, say). */
  UNEXPECTED_MESSAGE = 5,
  /** The server is shutting down; the batch was not stored. */
  SHUTTING_DOWN = 6,
  /** The server could not write the batch; nothing of it is acknowledged. */
  STORAGE_FAILURE = 7,
  /** The protocol header named a version the server does not speak. */
  UNSUPPORTED_VERSION = 8,
}

export type LotteryMessage =
  | { readonly type: 'bet'; readonly agency: number; readonly bet: WireBet }
  | { readonly type: 'bet_batch'; readonly agency: number; readonly bets: readonly WireBet[] }
  | { readonly type: 'ack'; readonly count: number }
  | { readonly type: 'error'; readonly code: ErrorCode; readonly message: string }
  | { readonly type: 'finished'; readonly agency: number }
  | { readonly type: 'winners_query'; readonly agency: number }
  | { readonly type: 'winners'; readonly agency: number; readonly documents: readonly string[] };

type Of<T extends LotteryMessage['type']> = Extract<LotteryMessage, { type: T }>;

/** Adds `<name>Length: u16` and `<name>: bytes` (a UTF-8 string behind its u16 byte length). */
const str16 = (parser: Parser, name: string) => parser.uint16be(`${name}Length`).buffer(name, { length: `${name}Length` });

interface RawBet { firstName: Buffer; lastName: Buffer; document: Buffer; birthdate: Buffer; number: number }

// Bet: str16 first name | str16 last name | str16 document | str16 birthdate | u16 number
const betParser = ['firstName', 'lastName', 'document', 'birthdate'].reduce(str16, new Parser()).uint16be('number');

const betFromRaw = (raw: RawBet): WireBet => ({
  firstName: utf8(raw.firstName, 'first name'),
  lastName: utf8(raw.lastName, 'last name'),
  document: utf8(raw.document, 'document'),
  birthdate: utf8(raw.birthdate, 'birthdate'),
  number: raw.number,
});

const writeBet = (writer: BufferWriter, bet: WireBet) =>
  writer
    .str16(bet.firstName, 'first name')
    .str16(bet.lastName, 'last name')
    .str16(bet.document, 'document')
    .str16(bet.birthdate, 'birthdate')
    .u16(bet.number, 'bet number');

/** Bytes one bet takes inside a `bet` or `bet_batch` payload. */
export function betWireSize(bet: WireBet): number {
  return 5 * 2 + Buffer.byteLength(bet.firstName) + Buffer.byteLength(bet.lastName) + Buffer.byteLength(bet.document) + Buffer.byteLength(bet.birthdate);
}

const agencyOnly = new Parser().uint16be('agency').saveOffset(END_OFFSET);

export const betMessage: MessageType<Of<'bet'>> = {
  tag: 0x01,
  type: 'bet',
  // u16 agency | bet
  parser: new Parser().uint16be('agency').nest('bet', { type: betParser }).saveOffset(END_OFFSET),
  fromParsed: raw => ({ type: 'bet', agency: raw.agency, bet: betFromRaw(raw.bet) }),
  write: (writer, message) => writeBet(writer.u16(message.agency, 'agency'), message.bet),
};

export const betBatchMessage: MessageType<Of<'bet_batch'>> = {
  tag: 0x02,
  type: 'bet_batch',
  // u16 agency | u16 count | count × bet
  parser: new Parser().uint16be('agency').uint16be('count').array('bets', { type: betParser, length: 'count' }).saveOffset(END_OFFSET),
  fromParsed: raw => ({ type: 'bet_batch', agency: raw.agency, bets: (raw.bets as RawBet[]).map(betFromRaw) }),
  write: (writer, message) => {
    writer.u16(message.agency, 'agency').u16(message.bets.length, 'bet count');
    for (const bet of message.bets) writeBet(writer, bet);
  },
};

export const ackMessage: MessageType<Of<'ack'>> = {
  tag: 0x03,
  type: 'ack',
  // u32 count of bets stored
  parser: new Parser().uint32be('count').saveOffset(END_OFFSET),
  fromParsed: raw => ({ type: 'ack', count: raw.count }),
  write: (writer, message) => writer.u32(message.count, 'ack count'),
};

export const errorMessage: MessageType<Of<'error'>> = {
  tag: 0x04,
  type: 'error',
  // u16 code | str16 message
  parser: str16(new Parser().uint16be('code'), 'message').saveOffset(END_OFFSET),
  fromParsed: raw => ({ type: 'error', code: raw.code, message: utf8(raw.message, 'error message') }),
  write: (writer, message) => writer.u16(message.code, 'error code').str16(message.message, 'error message'),
};

export const finishedMessage: MessageType<Of<'finished'>> = {
  tag: 0x05,
  type: 'finished',
  // u16 agency
  parser: agencyOnly,
  fromParsed: raw => ({ type: 'finished', agency: raw.agency }),
  write: (writer, message) => writer.u16(message.agency, 'agency'),
};

export const winnersQueryMessage: MessageType<Of<'winners_query'>> = {
  tag: 0x06,
  type: 'winners_query',
  // u16 agency
  parser: agencyOnly,
  fromParsed: raw => ({ type: 'winners_query', agency: raw.agency }),
  write: (writer, message) => writer.u16(message.agency, 'agency'),
};

export const winnersMessage: MessageType<Of<'winners'>> = {
  tag: 0x07,
  type: 'winners',
  // u16 agency | u32 count | count × str16 document
  parser: new Parser()
    .uint16be('agency')
    .uint32be('count')
    .array('documents', { type: str16(new Parser(), 'document'), length: 'count' })
    .saveOffset(END_OFFSET),
  fromParsed: raw => ({ type: 'winners', agency: raw.agency, documents: (raw.documents as Array<{ document: Buffer }>).map(d => utf8(d.document, 'document')) }),
  write: (writer, message) => {
    writer.u16(message.agency, 'agency').u32(message.documents.length, 'winner count');
    for (const document of message.documents) writer.str16(document, 'document');
  },
};

export const lotteryMessageTypes: ReadonlyArray<MessageType<LotteryMessage>> = [
  betMessage,
  betBatchMessage,
  ackMessage,
  errorMessage,
  finishedMessage,
  winnersQueryMessage,
  winnersMessage,
] as ReadonlyArray<MessageType<any>>;
