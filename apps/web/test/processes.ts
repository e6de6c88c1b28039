import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'

/** The built `wesh` binary of apps/cli (a devDependency: turbo builds it before these tests). */
const weshMain = createRequire(import.meta.url)
  .resolve('@wesh/cli/package.json')
  .replace(/package\.json$/, 'dist/main.js')

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `wesh …` to its end. */
export function wesh(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawn(process.execPath, [weshMain, ...args], { env: { ...process.env, ...env } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })))
}

/** Runs `wesh … --json`, expects success, and parses its output. */
export async function weshJson<T>(args: readonly string[], env: NodeJS.ProcessEnv): Promise<T> {
  const run = await wesh([...args, '--json'], env)
  if (run.code !== 0) throw new Error(`wesh ${args.join(' ')} exited ${run.code}: ${run.stdout}${run.stderr}`)
  return JSON.parse(run.stdout) as T
}

/** A long-running `wesh` process (the daemon, `read --follow`) whose stdout is read line by line. */
export class LiveWesh {
  readonly #child: ChildProcess
  readonly #lines: string[] = []
  readonly #waiters = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>()
  readonly #exited: Promise<number | null>
  #stderr = ''

  constructor(args: readonly string[], env: NodeJS.ProcessEnv) {
    this.#child = spawn(process.execPath, [weshMain, ...args], { env: { ...process.env, ...env } })
    this.#child.stderr?.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()))
    this.#exited = new Promise((resolve) => this.#child.once('close', resolve))
    createInterface({ input: this.#child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.#lines.push(line)
      for (const waiter of this.#waiters) {
        if (!waiter.match(line)) continue
        this.#waiters.delete(waiter)
        waiter.resolve(line)
      }
    })
  }

  /** Resolves with the first stdout line `match` accepts (lines already seen count); rejects if the process ends first. */
  line(match: (line: string) => boolean): Promise<string> {
    const seen = this.#lines.find(match)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      this.#waiters.add({ match, resolve })
      void this.#exited.then((code) => reject(new Error(`wesh exited ${code} first: ${this.#stderr}`)))
    })
  }

  /** Resolves with the exit code once the process ends by itself. */
  exited(): Promise<number | null> {
    return this.#exited
  }

  /** Sends SIGINT (a clean stop) and resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.#child.exitCode === null) this.#child.kill('SIGINT')
    return this.#exited
  }
}
