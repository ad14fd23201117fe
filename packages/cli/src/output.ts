import type { Writable } from 'node:stream';
import { CliError, OutputClosedError } from './errors.ts';

const CLOSED_CODES: ReadonlySet<string> = new Set([
  'EPIPE',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

function failure(error: Error): CliError {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CLOSED_CODES.has(code))
    return new OutputClosedError('Standard output was closed', { cause: error });
  return new CliError(`Cannot write the output: ${error.message}`, { cause: error });
}

/**
 * Writes text to a stream with backpressure: `write` resolves once the stream can take more
 * (after `'drain'` when its buffer is full), so a slow reader slows the producer down instead
 * of letting output pile up in memory.
 */
export class OutputSink {
  readonly #stream: Writable;
  #error: CliError | null = null;
  readonly #onError = (error: Error): void => {
    this.#error ??= failure(error);
  };

  constructor(stream: Writable) {
    this.#stream = stream;
    stream.on('error', this.#onError);
  }

  /**
   * Writes `text`, waiting for `'drain'` when the stream asks to.
   *
   * @throws {@link OutputClosedError} once the reader has gone (EPIPE), and `CliError` for
   *   another write failure.
   */
  async write(text: string): Promise<void> {
    this.#throwIfFailed();
    if (text === '') return;
    if (this.#stream.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.#stream.off('drain', done);
        this.#stream.off('error', done);
        this.#stream.off('close', done);
        resolve();
      };
      this.#stream.on('drain', done);
      this.#stream.on('error', done);
      this.#stream.on('close', done);
    });
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#error !== null) throw this.#error;
  }

  /** Stops listening for errors on the stream. */
  dispose(): void {
    this.#stream.off('error', this.#onError);
  }
}

/**
 * A one-line progress report on a terminal, rewritten in place at most every 100 ms. Only
 * made when standard error is a TTY, so pipes and logs never see it.
 */
export class Progress {
  readonly #stream: Writable;
  readonly #label: string;
  readonly #total: number | null;
  readonly #unit: string;
  #done = 0;
  #shown = 0;

  constructor(stream: Writable, label: string, total: number | null, unit = 'rows') {
    this.#stream = stream;
    this.#label = label;
    this.#total = total;
    this.#unit = unit;
  }

  /** Counts `n` more items and redraws the line if it is due. */
  advance(n: number): void {
    this.#done += n;
    const now = Date.now();
    if (now - this.#shown < 100) return;
    this.#shown = now;
    const count = this.#done.toLocaleString('en-US');
    const of =
      this.#total === null || this.#total === 0
        ? ''
        : ` / ${this.#total.toLocaleString('en-US')} (${Math.floor((100 * this.#done) / this.#total)}%)`;
    this.#stream.write(`\r\u001b[K${this.#label}: ${count}${of} ${this.#unit}`);
  }

  /** Erases the line. */
  finish(): void {
    if (this.#shown !== 0) this.#stream.write('\r\u001b[K');
  }

  /**
   * A progress line for a command, or `null` when standard error is not a terminal or the
   * user asked for `--quiet`.
   */
  static forCommand(
    context: { readonly stderr: Writable; readonly stderrIsTTY: boolean },
    options: { readonly quiet?: boolean | undefined },
    label: string,
    total: number | null,
    unit?: string,
  ): Progress | null {
    if (!context.stderrIsTTY || options.quiet === true) return null;
    return new Progress(context.stderr, label, total, unit);
  }
}
