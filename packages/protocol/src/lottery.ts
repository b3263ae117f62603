import { enumOf, fields, headerProtocol, LENGTH_PREFIX_BYTES, message, protocol, str16, u16, type RequestOf, type ResponseOf } from '@tp0/codec';
import type { Bet } from './bet.js';

/** A bet or bet-batch frame never exceeds this many bytes on the wire, length prefix included. */
export const MAX_BATCH_FRAME_BYTES = 8192;
/** The largest payload a server accepts: a bet batch at its limit. */
export const SERVER_MAX_PAYLOAD_BYTES = MAX_BATCH_FRAME_BYTES - LENGTH_PREFIX_BYTES;
/** A winners reply lists every winning document of an agency: far above the server's limit. */
export const CLIENT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

export const LOTTERY_MAGIC = Buffer.from('TP0L', 'ascii');
/** 2: resumable sessions (`hello`/`resume`, `bet_batch.first`, `finished.total`) and agency binding. */
export const LOTTERY_VERSION = 2;

/** Error codes of the `error` reply. */
export enum ErrorCode {
  /** The frame could not be decoded (garbage, truncated, unknown type: a server-to-client message included); the server closes the connection. */
  MALFORMED = 1,
  /** A bet broke a rule (empty name, bad document, date or number); the whole batch was rejected, nothing stored. */
  INVALID_BET = 2,
  /** The agency id is outside 1..N, or the agency already said it finished. */
  UNKNOWN_AGENCY = 3,
  /** A frame's length prefix is over the limit; the server closes the connection. */
  FRAME_TOO_LARGE = 4,
  /** A request the server cannot answer as configured: a winners query when there is no draw (AGENCIES = 0). */
  UNEXPECTED_MESSAGE = 5,
  /** The server is shutting down; the batch was not stored. */
  SHUTTING_DOWN = 6,
  /** The server could not write the batch; nothing of it is acknowledged. */
  STORAGE_FAILURE = 7,
  /** The protocol header named a version the server does not speak. */
  UNSUPPORTED_VERSION = 8,
  /**
   * Another live connection holds this agency and this connection named it without a `hello` (which would have taken
   * it over); nothing was done.
   */
  AGENCY_BUSY = 9,
  /** A batch does not continue the agency's stored bets (`first` past them), or `finished.total` differs from them. */
  OUT_OF_ORDER = 10,
  /** This connection is bound to another agency: one connection speaks for one agency. */
  WRONG_AGENCY = 11,
  /** The agency's secret (server config AGENCY_SECRETS) is missing or wrong. */
  UNAUTHORIZED = 12,
  /** The connection was silent, or stuck in the middle of a frame, for longer than the server's limit; it is closed. */
  TIMEOUT = 13,
  /** A newer connection sent a `hello` for this connection's agency and took it over; this one is closed. */
  SESSION_TAKEN_OVER = 14,
}

/** Replies after which the same request may succeed later (the server is restarting, or had a passing fault). */
export const TRANSIENT_ERRORS: ReadonlySet<ErrorCode> = new Set([ErrorCode.SHUTTING_DOWN, ErrorCode.STORAGE_FAILURE, ErrorCode.TIMEOUT]);

// A bet: str16 first name | str16 last name | str16 document | str16 birthdate | u16 number
const bet = fields().str16('firstName').str16('lastName').str16('document').str16('birthdate').u16('number');
const betLimit = { maxFrameLength: SERVER_MAX_PAYLOAD_BYTES };

/** What an agency sends. */
export const lotteryRequestTypes = [
  message(0x01, 'bet', fields().u16('agency').field('bet', bet), betLimit),
  // first: how many of this agency's bets come before this batch (0-based index of its first bet).
  message(0x02, 'bet_batch', fields().u16('agency').u32('first').list('bets', bet), betLimit),
  // total: how many bets the agency sent in all; the server acks only when exactly that many are stored.
  message(0x05, 'finished', fields().u16('agency').u32('total')),
  message(0x06, 'winners_query', fields().u16('agency')),
  // The first message of a resumable session: binds the connection to `agency` (secret: '' when none is set).
  message(0x08, 'hello', fields().u16('agency').str16('secret')),
] as const;

/** What the server answers. */
export const lotteryResponseTypes = [
  message(0x03, 'ack', fields().u32('count')),
  message(0x04, 'error', fields().field('code', enumOf(u16, ErrorCode)).str16('message')),
  message(0x07, 'winners', fields().u16('agency').list('documents', str16, 'u32')),
  // The answer to hello: how many of the agency's bets are stored, and whether its `finished` was recorded (1).
  message(0x09, 'resume', fields().u16('agency').u32('stored').u8('finished')),
] as const;

/**
 * The lottery protocol: `lottery.server` decodes requests (a bet batch at most) and encodes responses (winners lists
 * up to the client's limit); `lottery.client` is its mirror. A response sent by a client does not decode at the server.
 */
export const lottery = protocol(
  'lottery',
  { requests: lotteryRequestTypes, responses: lotteryResponseTypes },
  { maxFrameLength: CLIENT_MAX_PAYLOAD_BYTES, maxRequestLength: SERVER_MAX_PAYLOAD_BYTES, maxResponseLength: CLIENT_MAX_PAYLOAD_BYTES },
);

export type LotteryRequest = RequestOf<typeof lottery>;
export type LotteryResponse = ResponseOf<typeof lottery>;
/** Either direction's message, for what handles both (wire fixtures, the README's tables). */
export type LotteryMessage = LotteryRequest | LotteryResponse;
/** The message of one type, e.g. `LotteryMessageOf<'bet_batch'>`. */
export type LotteryMessageOf<T extends LotteryMessage['type']> = Extract<LotteryMessage, { type: T }>;

/** The lottery protocol as the server recognises it on a shared port: clients open with "TP0L" and LOTTERY_VERSION. */
export const lotteryProtocol = headerProtocol<LotteryRequest, LotteryResponse>('lottery', LOTTERY_MAGIC, LOTTERY_VERSION, lottery.server);
/** Sent once by the client when it connects, before any frame. */
export const LOTTERY_HEADER = lotteryProtocol.header;

/** Bytes of a `bet_batch` frame holding `bets`, length prefix included. */
export function batchFrameSize(bets: readonly Bet[], agency = 1): number {
  return lottery.client.frameSize({ type: 'bet_batch', agency, first: 0, bets });
}
