import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** The app's directory and its built entry point (built by `build.global-setup.ts`). */
export const app = fileURLToPath(new URL('..', import.meta.url))
export const main = join(app, 'dist', 'main.js')

/** Most of the server's stderr kept for `stderr()`: a long fuzz logs a line per request. */
const STDERR_KEPT_CHARS = 1_048_576

export interface Listening {
  event: 'listening'
  peerId: string
  multiaddrs: string[]
  http: string
}

export type LogLine = Record<string, unknown>

export interface Started {
  child: ChildProcess
  listening: Listening
  /** The server's stderr so far (its last MiB). */
  stderr: () => string
  /** Resolves with the first JSON log line (stderr) that `match` accepts, as soon as it is written. */
  logged: (match: (line: LogLine) => boolean) => Promise<LogLine>
}

/**
 * Starts the server process and resolves with its "listening" line. `keepLogs: false` parses no log line (`logged`
 * never resolves): for runs that log a line per request.
 */
export function start(args: string[], options: { keepLogs?: boolean } = {}): Promise<Started> {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT_CHARS)
  })
  const logLines: LogLine[] = []
  const onLine = new EventTarget()
  if (options.keepLogs !== false) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (!line.startsWith('{')) return // not one of ours (a Node warning): kept in stderr() only
      logLines.push(JSON.parse(line) as LogLine)
      onLine.dispatchEvent(new Event('line'))
    })
  }
  const logged = (match: (line: LogLine) => boolean) =>
    new Promise<LogLine>((resolve) => {
      const check = (): void => {
        const found = logLines.find(match)
        if (found === undefined) return
        onLine.removeEventListener('line', check)
        resolve(found)
      }
      onLine.addEventListener('line', check)
      check()
    })
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout })
    lines.once('line', (line) =>
      resolve({ child, listening: JSON.parse(line) as Listening, stderr: () => stderr, logged }),
    )
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)))
  })
}

/** Stops the server with SIGTERM and resolves with its exit code. */
export function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode)
    child.once('exit', (code) => resolve(code))
    child.kill('SIGTERM')
  })
}
