import { Transform, type TransformCallback } from 'node:stream';
import { CodecError } from './errors.js';

/**
 * The end of a decoded stream, in band: it travels down the stages after every message decoded before it.
 * (An error passed to a Transform's callback destroys the stream and drops what it buffered, which would lose
 * messages that were already decoded.)
 */
export class DecodeFailure {
  constructor(readonly error: Error) {}
}

/** Hands one decoded item to the next stage. */
export type Push<T> = (item: T) => void;

/**
 * A decoder stage: `decode` turns each input chunk into zero or more items. A throw from `decode` or `finish`
 * becomes a `DecodeFailure` pushed after the items already pushed; from then on input is read and discarded, so the
 * socket keeps draining (a closing peer gets a FIN, not a reset) and nothing after the bad input is decoded.
 */
export abstract class DecoderStage<In, Out> extends Transform {
  #failed = false;

  constructor(options: { objectInput: boolean }) {
    super({ readableObjectMode: true, writableObjectMode: options.objectInput });
  }

  /** Decodes one chunk of input; `push` each complete item. */
  protected abstract decode(chunk: In, push: Push<Out>): void;

  /** End of input: push what is left, or throw if the input stopped inside an item. */
  protected finish(_push: Push<Out>): void {}

  override _transform(chunk: In | DecodeFailure, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.#failed) {
      if (chunk instanceof DecodeFailure) this.#fail(chunk);
      else this.#run(() => this.decode(chunk, this.#push));
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (!this.#failed) this.#run(() => this.finish(this.#push));
    callback();
  }

  readonly #push = (item: Out): void => {
    this.push(item);
  };

  #run(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.#fail(new DecodeFailure(error instanceof Error ? error : new CodecError('ERR_MALFORMED', String(error))));
    }
  }

  #fail(failure: DecodeFailure): void {
    this.#failed = true;
    this.push(failure);
  }
}
