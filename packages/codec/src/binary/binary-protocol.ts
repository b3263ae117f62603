import { indexTypes, twoWayCodec, type BinaryCodec } from './binary-codec.js';
import type { MessageOf, MessageType } from './message-type.js';

export interface ProtocolOptions {
  /** Largest frame payload (type tag included, length prefix not), both ways unless said otherwise below. */
  readonly maxFrameLength: number;
  /** Largest request payload, when requests are bounded more tightly (a server reads little, answers much). */
  readonly maxRequestLength?: number;
  /** Largest response payload. */
  readonly maxResponseLength?: number;
}

/**
 * A request/response protocol: what clients send and what servers answer, each a set of message types. `server`
 * decodes requests and encodes responses; `client` is its mirror.
 */
export interface BinaryProtocol<Request extends { readonly type: string }, Response extends { readonly type: string }> {
  readonly name: string;
  readonly server: BinaryCodec<Request, Response>;
  readonly client: BinaryCodec<Response, Request>;
}

/** The request union of a protocol: `RequestOf<typeof kv>`. */
export type RequestOf<P> = P extends BinaryProtocol<infer Request, any> ? Request : never;
/** The response union of a protocol. */
export type ResponseOf<P> = P extends BinaryProtocol<any, infer Response> ? Response : never;

/**
 * Declares a two-way protocol from its message types: `protocol('kv', { requests: [put, get], responses: [ok,
 * value, error] }, { maxFrameLength: 4096 })`. Tags and names are checked when declared, across both directions:
 * a tag used twice anywhere throws, so a request can never be read as a response.
 */
export function protocol<const Requests extends ReadonlyArray<MessageType<any>>, const Responses extends ReadonlyArray<MessageType<any>>>(
  name: string,
  directions: { readonly requests: Requests; readonly responses: Responses },
  options: ProtocolOptions,
): BinaryProtocol<MessageOf<Requests[number]>, MessageOf<Responses[number]>> {
  type Request = MessageOf<Requests[number]>;
  type Response = MessageOf<Responses[number]>;
  const requests = indexTypes<Request>(name, directions.requests);
  const responses = indexTypes<Response>(name, directions.responses, directions.requests);
  const requestLimit = options.maxRequestLength ?? options.maxFrameLength;
  const responseLimit = options.maxResponseLength ?? options.maxFrameLength;
  return {
    name,
    server: twoWayCodec<Request, Response>(name, requests, responses, { decode: requestLimit, encode: responseLimit }),
    client: twoWayCodec<Response, Request>(name, responses, requests, { decode: responseLimit, encode: requestLimit }),
  };
}
