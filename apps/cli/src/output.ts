import { errorBody, hintFor } from './errors.js'

/**
 * Where a command's results go. With `--json` stdout carries exactly the JSON (one document, or one object per line
 * for streams), errors included; without it, lines for a person. Progress and logs always go to stderr.
 */
export class Output {
  readonly json: boolean
  readonly #stdout: NodeJS.WritableStream
  readonly #stderr: NodeJS.WritableStream

  constructor(
    json: boolean,
    stdout: NodeJS.WritableStream = process.stdout,
    stderr: NodeJS.WritableStream = process.stderr,
  ) {
    this.json = json
    this.#stdout = stdout
    this.#stderr = stderr
  }

  /** The result of a command: `value` as JSON, or the lines `text` makes of it. */
  result<T>(value: T, text: (value: T) => string | readonly string[]): void {
    if (this.json) {
      this.#stdout.write(`${JSON.stringify(value)}\n`)
      return
    }
    const lines = text(value)
    this.#stdout.write(`${typeof lines === 'string' ? lines : lines.join('\n')}\n`)
  }

  /** A line for a person on stderr (hidden with `--json`). */
  note(text: string): void {
    if (!this.json) this.#stderr.write(`${text}\n`)
  }

  /** `error CODE: message` and a hint line on stderr, or `{"error":{code,message,data,hint}}` on stdout. */
  error(error: unknown): void {
    const body = errorBody(error)
    const hint = hintFor(body.code)
    if (this.json) {
      this.#stdout.write(`${JSON.stringify({ error: { ...body, ...(hint ? { hint } : {}) } })}\n`)
      return
    }
    this.#stderr.write(`error ${body.code}: ${body.message}\n${hint ? `hint: ${hint}\n` : ''}`)
  }
}
