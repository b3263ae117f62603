import type net from 'node:net';
import { catchError, concatMap, defer, EMPTY, filter, finalize, from, isObservable, of, type Observable } from 'rxjs';
import type { Codec } from '../codec.js';
import { Connection } from '../connection.js';
import { CodecError, type CodecErrorCode } from '../errors.js';
import { detectProtocol, type Protocol, type Selection } from '../protocol.js';
import { IdleClock } from './idle-clock.js';

/** What a handler gives back for one message: replies (none, one, or an Observable of several), sent in order. */
export type Reply<Out> = Out | undefined | void | PromiseLike<Out | undefined | void> | Observable<Out>;

/** Handles one message; its replies are sent in order, and the next message is handled when they are out. */
export type Handler<In, Out> = (message: In, connection: Connection<In, Out>) => Reply<Out>;

/** What a codec reads. (Types are taken from the codec alone, so that handlers and hooks are checked against it.) */
export type InOf<C> = C extends Codec<infer In, any> ? In : never;
/** What a codec writes. */
export type OutOf<C> = C extends Codec<any, infer Out> ? Out : never;

/** Why a session ended. */
export type SessionEnd =
  /** The peer ended its side and every message was handled and answered. */
  | { readonly reason: 'done' }
  /** The input could not be decoded (after every message before it was handled). */
  | { readonly reason: 'decode-error'; readonly error: CodecError }
  /** No whole message for `idleTimeout` ms. */
  | { readonly reason: 'idle'; readonly error: CodecError }
  /** A handler threw or rejected, or a reply could not be encoded. */
  | { readonly reason: 'handler-error'; readonly error: unknown }
  /** The connection failed (a reset, say) or was refused while choosing its protocol. */
  | { readonly reason: 'transport-error'; readonly error: Error };

/** What a protocol's sessions do at their edges; every callback may be left out. */
export interface SessionHooks<In, Out> {
  /** Called when the session starts (after its protocol was chosen), with its connection: to keep it for a shutdown, say. */
  readonly onStart?: (connection: Connection<In, Out>) => void;
  /** The reply to input that cannot be decoded, sent after the replies to every message before it; then the connection closes. */
  readonly onDecodeError?: (error: CodecError, connection: Connection<In, Out>) => Out | undefined;
  /** The reply sent when the connection is idle too long, before it closes. */
  readonly onIdle?: (connection: Connection<In, Out>) => Out | undefined;
  /** Called once when the session ends, with why. Errors it throws are ignored. */
  readonly onEnd?: (end: SessionEnd, connection: Connection<In, Out> | undefined) => void;
}

export interface ServeOptions<In = unknown, Out = unknown> extends SessionHooks<In, Out> {
  /**
   * Milliseconds a connection may go without completing a message (counted from its start, and from the end of the
   * last message's handling; a message in progress holds the clock) before it is answered `onIdle` and closed.
   * Default 60,000; Infinity for none.
   */
  readonly idleTimeout?: number;
  /** Messages decoded ahead of the handler, at most (default 16); behind them the socket is paused. */
  readonly window?: number;
  /** How long a closing connection waits for the peer's FIN before it is destroyed (default 2,000 ms). */
  readonly closeTimeout?: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 2000;

/** Codes a decoder raises for bad input (as opposed to a transport failure). */
const DECODE_ERRORS: ReadonlySet<CodecErrorCode> = new Set(['ERR_FRAME_TOO_LONG', 'ERR_UNEXPECTED_EOF', 'ERR_MALFORMED', 'ERR_UNKNOWN_TYPE', 'ERR_TRAILING_BYTES', 'ERR_INVALID_UTF8', 'ERR_INVALID_VALUE']);

/** Marks an error that came out of the handler (or the sending of its replies), not out of the input. */
class HandlerFailure {
  constructor(readonly error: unknown) {}
}

/** A server's sessions, and a way to stop them. */
export interface Served {
  /** Sessions running now. */
  readonly sessions: number;
  /** Stops accepting, ends every connection (FIN; destroyed after the close timeout) and waits for every session to end. */
  close(): Promise<void>;
}

/**
 * Serves one protocol on `server`: each connection's messages go through `handler` one at a time, in order, and its
 * replies are sent in order. Safe by default: nothing a peer sends can throw out of here. Bad input is answered with
 * `onDecodeError` (after every message before it was handled) and the connection closed; an idle connection is
 * answered with `onIdle` and closed; a handler that throws closes its connection; each end is reported to `onEnd`.
 * Credit is the library's: a message counts against `window` until its handler's replies are sent.
 */
export function serve<C extends Codec<any, any>>(server: net.Server, codec: C, handler: NoInfer<Handler<InOf<C>, OutOf<C>>>, options: NoInfer<ServeOptions<InOf<C>, OutOf<C>>> = {}): Served {
  return track(server, options, socket => serveSocket(socket, codec, handler, options));
}

/** One protocol of a port that speaks several (see `serveProtocols`): its detection, its handler and its hooks. */
export interface Route<In = any, Out = any> {
  readonly protocol: Protocol<In, Out>;
  readonly handler: Handler<In, Out>;
  readonly hooks: SessionHooks<In, Out>;
}

/** A route, typed by its protocol. */
export function route<P extends Protocol<any, any>>(protocol: P, handler: NoInfer<Handler<InOf<P['codec']>, OutOf<P['codec']>>>, hooks: NoInfer<SessionHooks<InOf<P['codec']>, OutOf<P['codec']>>> = {}): Route<InOf<P['codec']>, OutOf<P['codec']>> {
  return { protocol, handler, hooks };
}

export interface Routes {
  /** Protocols recognised by their opening bytes (`headerProtocol`), tried in order. */
  readonly candidates: readonly Route[];
  /** The protocol of every other connection; without one, they are refused. */
  readonly fallback?: Route;
}

/**
 * Serves several protocols on one port: each connection's first bytes pick its route (`detectProtocol`, the bytes
 * it read handed on), then it is served as `serve` does. One idle clock per connection covers both phases.
 */
export function serveProtocols(server: net.Server, routes: Routes, options: ServeOptions = {}): Served {
  return track(server, options, socket => serveRoutes(socket, routes, options));
}

/** Serves one accepted socket as `serveProtocols` does each connection; resolves with its end, never rejects. */
export async function serveRoutes(socket: net.Socket, routes: Routes, options: ServeOptions = {}): Promise<SessionEnd> {
  socket.on('error', () => {}); // reported through the session; an unheard 'error' event would crash the process
  const clock = new IdleClock(options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MS);
  // A silent peer's end is reported before its socket is destroyed, as every other end is before its close.
  let idleEnd: Promise<SessionEnd> | undefined;
  clock.onIdle(() => (idleEnd = report(options, { reason: 'idle', error: idleError(clock) }, undefined, () => void socket.destroy())));
  // A closed socket is not idle: its pending timer must not outlive it (a refused version, a peer gone mid-choice).
  socket.once('close', () => clock.stop());
  const byProtocol = new Map<Protocol<any, any>, Route>([...routes.candidates, ...(routes.fallback ? [routes.fallback] : [])].map(r => [r.protocol, r]));
  let selection: Selection;
  try {
    selection = await detectProtocol(socket, routes.candidates.map(r => r.protocol), routes.fallback?.protocol);
  } catch (error) {
    if (idleEnd !== undefined) return idleEnd;
    return report(options, { reason: 'transport-error', error: error as Error }, undefined, () => void socket.end());
  }
  if (idleEnd !== undefined) return idleEnd;
  if (socket.destroyed) {
    return report(options, { reason: 'transport-error', error: new CodecError('ERR_CONNECTION_CLOSED', 'the connection closed before its protocol was known') }, undefined, () => void socket.destroy());
  }
  const chosen = byProtocol.get(selection.protocol)!;
  return serveSocket(socket, chosen.protocol.codec, chosen.handler, { ...options, ...definedHooks(chosen.hooks) }, { selection, clock });
}

/**
 * Serves one socket (already connected) with `codec` and `handler`, as `serve` does for each connection; resolves
 * with why the session ended, never rejects. `context` carries what protocol selection read and its idle clock.
 */
export function serveSocket<In, Out>(
  socket: net.Socket,
  codec: Codec<In, Out>,
  handler: Handler<In, Out>,
  options: ServeOptions<In, Out> = {},
  context: { readonly selection?: Selection; readonly clock?: IdleClock } = {},
): Promise<SessionEnd> {
  socket.on('error', () => {}); // reported through the session; an unheard 'error' event would crash the process
  const connection = new Connection(socket, codec, { window: options.window, selection: context.selection });
  const clock = context.clock ?? new IdleClock(options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MS);
  const closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT_MS;
  attempt(() => options.onStart?.(connection));
  return new Promise(resolve => {
    let ended = false;
    const end = (result: SessionEnd, close: () => Promise<void> | void) => {
      if (ended) return;
      ended = true;
      clock.stop();
      resolve(report(options, result, connection, close));
    };
    const answerAndClose = (reply: () => Out | undefined) => async () => {
      const message = attempt(reply);
      if (message !== undefined) await connection.send(message).catch(() => {});
      await connection.close(closeTimeout);
    };

    clock.onIdle(() => end({ reason: 'idle', error: idleError(clock) }, answerAndClose(() => options.onIdle?.(connection))));
    connection
      .handle(message => {
        clock.busy();
        return defer(() => replies(handler(message, connection))).pipe(
          concatMap(reply => connection.send(reply)),
          catchError(error => {
            throw new HandlerFailure(error);
          }),
          finalize(() => clock.idle()),
        );
      })
      .subscribe({
        complete: () => end({ reason: 'done' }, () => connection.close(closeTimeout)),
        error: (error: unknown) => {
          if (error instanceof HandlerFailure && !(error.error instanceof CodecError && error.error.code === 'ERR_SOCKET_CLOSED')) {
            return end({ reason: 'handler-error', error: error.error }, () => connection.close(closeTimeout));
          }
          if (error instanceof HandlerFailure) error = error.error;
          if (error instanceof CodecError && DECODE_ERRORS.has(error.code)) {
            return end({ reason: 'decode-error', error }, answerAndClose(() => options.onDecodeError?.(error, connection)));
          }
          end({ reason: 'transport-error', error: error instanceof Error ? error : new Error(String(error)) }, () => connection.destroy());
        },
      });
  });
}

/** Runs the close, reports the end to `onEnd`, and gives the end back; nothing here throws. */
function report<In, Out>(options: SessionHooks<In, Out>, end: SessionEnd, connection: Connection<In, Out> | undefined, close: () => Promise<void> | void): Promise<SessionEnd> {
  attempt(() => options.onEnd?.(end, connection));
  return Promise.resolve()
    .then(close)
    .catch(() => connection?.destroy())
    .then(() => end);
}

function idleError(clock: IdleClock): CodecError {
  return new CodecError('ERR_IDLE_TIMEOUT', `no whole message for ${clock.timeoutMs} ms`);
}

/** A callback's result, or undefined if it threw: hooks must not break a session's end. */
function attempt<T>(callback: () => T): T | undefined {
  try {
    return callback();
  } catch {
    return undefined;
  }
}

function replies<Out>(result: Reply<Out>): Observable<Out> {
  if (result === undefined || result === null) return EMPTY;
  if (isObservable(result)) return result;
  if (typeof (result as PromiseLike<unknown>).then === 'function') {
    return from(result as PromiseLike<Out | undefined>).pipe(filter((reply): reply is Out => reply !== undefined && reply !== null));
  }
  return of(result as Out);
}

function definedHooks<In, Out>(hooks: SessionHooks<In, Out>): SessionHooks<In, Out> {
  return Object.fromEntries(Object.entries(hooks).filter(([, value]) => value !== undefined)) as SessionHooks<In, Out>;
}

function track(server: net.Server, options: ServeOptions<any, any>, session: (socket: net.Socket) => Promise<SessionEnd>): Served {
  const running = new Map<net.Socket, Promise<unknown>>();
  server.on('connection', socket => {
    running.set(socket, session(socket).finally(() => running.delete(socket)));
  });
  return {
    get sessions() {
      return running.size;
    },
    async close() {
      const closed = new Promise<void>(resolve => server.close(() => resolve()));
      for (const socket of running.keys()) socket.end();
      const stubborn = setTimeout(() => {
        for (const socket of running.keys()) socket.destroy();
      }, options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT_MS);
      await Promise.allSettled(running.values());
      clearTimeout(stubborn);
      await closed;
    },
  };
}
