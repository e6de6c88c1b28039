/**
 * A push-to-pull queue: the producer pushes values, one consumer reads them with `for await`. Unbounded on
 * purpose for its one use (a subscriber that stops reading should `return`, which ends the queue).
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #values: T[] = []
  readonly #onEnd: () => void
  #wake: (() => void) | undefined
  #ended = false

  constructor(onEnd: () => void) {
    this.#onEnd = onEnd
  }

  push(value: T): void {
    if (this.#ended) return
    this.#values.push(value)
    this.#wake?.()
  }

  end(): void {
    if (this.#ended) return
    this.#ended = true
    this.#onEnd()
    this.#wake?.()
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      while (true) {
        const value = this.#values.shift()
        if (value !== undefined) {
          yield value
          continue
        }
        if (this.#ended) return
        await new Promise<void>((resolve) => (this.#wake = resolve))
        this.#wake = undefined
      }
    } finally {
      this.end()
    }
  }
}
