// Prints the demo's story as a readable timeline, and collects each step's outcome for the final table.

export interface StepResult {
  readonly step: number
  readonly title: string
  readonly ok: boolean
  readonly ms: number
  readonly error?: string
}

/**
 * The longest a step may take (each takes under 35 s on 2 busy cores): a step that waits for something that
 * never comes fails with the story so far on screen, and the steps after it still run.
 */
export const STEP_DEADLINE_MS = 120_000

export class Timeline {
  readonly results: StepResult[] = []
  readonly #quiet: boolean
  readonly #only: number | undefined
  #muted = false
  readonly #start = performance.now()

  /**
   * `only`: play that step alone; the steps it builds on run first without printing their story, the steps
   * after it do not run.
   */
  constructor(options: { quiet: boolean; only?: number }) {
    this.#quiet = options.quiet
    this.#only = options.only
  }

  /** A line of the story, stamped with the time since the demo started. */
  say(actor: string, text: string): void {
    if (this.#quiet || this.#muted) return
    const at = ((performance.now() - this.#start) / 1000).toFixed(3).padStart(7)
    console.log(`  ${at}s  ${actor.padEnd(6)} ${text}`)
  }

  /** A block shown as is, indented (a QR code). */
  show(block: string): void {
    if (this.#quiet || this.#muted) return
    for (const line of block.trimEnd().split('\n')) console.log(`             ${line}`)
  }

  /** Runs one step, recording pass or fail and its duration; a failing step does not stop the others. */
  async step(step: number, title: string, run: () => Promise<void> | void): Promise<void> {
    if (this.#only !== undefined && step > this.#only) return
    this.#muted = this.#only !== undefined && step < this.#only
    if (!this.#quiet) console.log(`\n── Step ${step}: ${title}${this.#muted ? ' (runs first, quietly)' : ''}`)
    const start = performance.now()
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`step ${step} did not finish within ${STEP_DEADLINE_MS / 1000} s`))
      }, STEP_DEADLINE_MS)
    })
    try {
      await Promise.race([run(), deadline])
      this.results.push({ step, title, ok: true, ms: performance.now() - start })
    } catch (error) {
      const message =
        error instanceof Error
          ? `${(error as { code?: string }).code ?? error.name}: ${error.message}`
          : String(error)
      this.#muted = false
      this.say('FAIL', message)
      this.results.push({ step, title, ok: false, ms: performance.now() - start, error: message })
    } finally {
      clearTimeout(timer)
      this.#muted = false
    }
  }

  /** The final table: each step, pass/fail, time. */
  table(): string {
    const rows = this.results.map(
      (r) =>
        `  ${String(r.step).padStart(2)}  ${r.ok ? 'pass' : 'FAIL'}  ${r.ms.toFixed(1).padStart(8)} ms  ${r.title}`,
    )
    return ['\n  step  result      time  what', ...rows].join('\n')
  }
}

/** Throws when `condition` is false: a demo step's own check. */
export function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`check failed: ${what}`)
}
