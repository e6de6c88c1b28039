import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const app = fileURLToPath(new URL('..', import.meta.url))
export const main = join(app, 'dist', 'main.js')

/** A daemon's network options in tests: 127.0.0.1 only, no multicast, a LAN DHT. */
export const LOOPBACK_NETWORK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', '--dht', 'lan'] as const

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const children = new Set<ChildProcess>()

/** Runs `wesh …` to its end. */
export function wesh(
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  const child = spawn(process.execPath, [main, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  child.stdin.end(options.input ?? '')
  return new Promise((resolve) => {
    child.once('close', (code) => {
      children.delete(child)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Runs `wesh … --json`, expects success, and parses its output. */
export async function weshJson<T>(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<T> {
  const run = await wesh([...args, '--json'], options)
  if (run.code !== 0) throw new Error(`wesh ${args.join(' ')} exited ${run.code}: ${run.stdout}${run.stderr}`)
  return JSON.parse(run.stdout) as T
}

/** Runs `wesh … --json` that must fail, and returns its error object. */
export async function weshError(
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: string; message: string; hint?: string; data?: Record<string, unknown> }> {
  const run = await wesh([...args, '--json'], options)
  if (run.code === 0) throw new Error(`wesh ${args.join(' ')} succeeded: ${run.stdout}`)
  return (JSON.parse(run.stdout) as { error: { code: string; message: string } }).error
}

/** A long-running `wesh` process whose stdout is read line by line. */
export interface LiveProcess {
  readonly child: ChildProcess
  /** Resolves with the first stdout line that `match` accepts (lines seen before count too). */
  line(match: (line: string) => boolean): Promise<string>
  readonly stderr: () => string
  /** Resolves with the exit code once the process ends by itself. */
  exit(): Promise<number | null>
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export function startWesh(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): LiveProcess {
  return startProcess(process.execPath, [main, ...args], options)
}

/**
 * `wesh …` in a pseudo-terminal, as a person types into it: util-linux `script` gives the command a terminal
 * and passes what we write to it as keystrokes.
 */
export function startWeshInTerminal(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): LiveProcess {
  const command = [process.execPath, main, ...args]
    .map((word) => `'${word.replaceAll("'", "'\\''")}'`)
    .join(' ')
  return startProcess(
    'script',
    ['--quiet', '--flush', '--return', '--command', command, '/dev/null'],
    options,
  )
}

export function startProcess(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv },
): LiveProcess {
  const child = spawn(file, args, {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  children.add(child)
  const seen: string[] = []
  const waiters = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>()
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      children.delete(child)
      resolve(code)
    }),
  )
  createInterface({ input: child.stdout }).on('line', (line) => {
    seen.push(line)
    for (const waiter of waiters) {
      if (waiter.match(line)) {
        waiters.delete(waiter)
        waiter.resolve(line)
      }
    }
  })
  return {
    child,
    stderr: () => stderr,
    line(match) {
      const found = seen.find(match)
      if (found !== undefined) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        waiters.add({ match, resolve })
        void exited.then((code) => reject(new Error(`${args.join(' ')} exited ${code} first: ${stderr}`)))
      })
    },
    exit: () => exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

/** Kills whatever a failed test left running. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve())
          child.kill('SIGKILL')
        }),
    ),
  )
}
