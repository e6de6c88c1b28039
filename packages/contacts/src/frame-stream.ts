import type { Stream } from '@libp2p/interface'
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import type { WeshError } from '@wesh/crypto'
import { isWeshError } from '@wesh/crypto'
import { ContactsErrorCode, contactsError } from './errors.js'

/**
 * Unsigned-varint length-prefixed frames on a libp2p stream (as js-libp2p protocols frame protobuf), with a size
 * limit on both reads and writes and one deadline for the whole exchange. Every failure is a typed `WeshError`:
 * `FRAME_TOO_LARGE`, `STREAM_ENDED`, `TIMEOUT` or `ABORTED`.
 */
export class FrameStream {
  readonly stream: Stream
  readonly maxFrameBytes: number
  readonly signal: AbortSignal
  readonly #lp: LengthPrefixedStream<Stream>
  readonly #timeoutMs: number
  readonly #callerSignal: AbortSignal | undefined

  constructor(stream: Stream, options: { maxFrameBytes: number; timeoutMs: number; signal?: AbortSignal }) {
    this.stream = stream
    this.maxFrameBytes = options.maxFrameBytes
    this.#timeoutMs = options.timeoutMs
    this.#callerSignal = options.signal
    const deadline = AbortSignal.timeout(options.timeoutMs)
    this.signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline
    this.#lp = lpStream(stream, { maxDataLength: options.maxFrameBytes })
  }

  /** The next frame. */
  async read(): Promise<Uint8Array> {
    this.#throwIfAborted()
    try {
      return (await this.#lp.read({ signal: this.signal })).subarray()
    } catch (error) {
      throw this.#typed(error)
    }
  }

  /** Writes one frame; refuses one over the limit before anything is sent. */
  async write(frame: Uint8Array): Promise<void> {
    this.#throwIfAborted()
    if (frame.length > this.maxFrameBytes) {
      throw contactsError(
        ContactsErrorCode.FRAME_TOO_LARGE,
        `a frame of ${frame.length} bytes is over the limit`,
        {
          data: { max: this.maxFrameBytes, actual: frame.length },
        },
      )
    }
    try {
      await this.#lp.write(frame, { signal: this.signal })
    } catch (error) {
      throw this.#typed(error)
    }
  }

  /**
   * Resolves when the peer closes its side cleanly without another frame; throws `STREAM_ENDED` if it resets
   * the stream or sends a frame (reason `unexpected frame`).
   */
  async expectEnd(): Promise<void> {
    try {
      await this.#lp.read({ signal: this.signal })
    } catch (error) {
      if (error instanceof Error && error.name === 'UnexpectedEOFError') return
      throw this.#typed(error)
    }
    throw contactsError(ContactsErrorCode.STREAM_ENDED, 'the peer sent a frame where it should have closed', {
      data: { reason: 'unexpected frame' },
    })
  }

  /** Flushes and closes our side. */
  async close(): Promise<void> {
    try {
      await this.stream.close({ signal: this.signal })
    } catch (error) {
      throw this.#typed(error)
    }
  }

  /** Resets the stream with `error` (a refusal or a failure): the peer sees the stream end. */
  abort(error: unknown): void {
    this.stream.abort(error instanceof Error ? error : new Error(String(error)))
  }

  #throwIfAborted(): void {
    if (this.signal.aborted) throw this.#typed(this.signal.reason)
  }

  #typed(error: unknown): WeshError {
    if (isWeshError(error)) return error
    if (this.#callerSignal?.aborted === true) {
      return contactsError(ContactsErrorCode.ABORTED, 'the exchange was aborted', { cause: error })
    }
    if (this.signal.aborted) {
      return contactsError(ContactsErrorCode.TIMEOUT, `the exchange took over ${this.#timeoutMs} ms`, {
        data: { timeoutMs: this.#timeoutMs },
        cause: error,
      })
    }
    const name = error instanceof Error ? error.name : ''
    if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') {
      return contactsError(ContactsErrorCode.FRAME_TOO_LARGE, 'the peer sent a frame over the limit', {
        data: { max: this.maxFrameBytes },
        cause: error,
      })
    }
    return contactsError(ContactsErrorCode.STREAM_ENDED, 'the stream ended before the exchange finished', {
      data: { reason: name === '' ? 'unknown' : name },
      cause: error,
    })
  }
}
