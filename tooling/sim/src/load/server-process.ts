import { type ChildProcess, fork } from 'node:child_process'
import type { ServerAnswer, ServerConfig, ServerMemory, ServerRequest } from './server-protocol.js'

type Measured = Extract<ServerAnswer, { type: 'measured' }>
type Request = ServerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never

/** A load test's server in a child process (`dist/load/server-child.js`), asked over IPC. */
export class ServerProcess {
  readonly address: string
  readonly #child: ChildProcess
  readonly #pending = new Map<number, (answer: ServerAnswer) => void>()
  #nextId = 1

  private constructor(child: ChildProcess, address: string) {
    this.#child = child
    this.address = address
    child.on('message', (answer: ServerAnswer) => {
      if (!('id' in answer)) return
      this.#pending.get(answer.id)?.(answer)
      this.#pending.delete(answer.id)
    })
  }

  static async start(script: string, config: ServerConfig): Promise<ServerProcess> {
    const child = fork(script, [], {
      execArgv: ['--expose-gc'],
      env: { ...process.env, WESH_SIM_SERVER: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const first = await new Promise<ServerAnswer | undefined>((resolve) => {
      child.once('message', resolve)
      child.once('exit', () => {
        resolve(undefined)
      })
    })
    if (first?.type !== 'ready') {
      child.kill('SIGKILL')
      throw new Error(
        `the ${config.role} server did not start: ${first?.type === 'failed' ? first.error : 'exited'}`,
      )
    }
    return new ServerProcess(child, first.address)
  }

  async measure(): Promise<{ memory: ServerMemory; counters: Record<string, unknown> }> {
    const { memory, counters } = (await this.#ask({ type: 'measure' })) as Measured
    return { memory, counters }
  }

  /** Replication: until every group holds at least `entries` message-log entries. */
  async waitForEntries(groupIds: readonly string[], entries: number): Promise<void> {
    await this.#ask({ type: 'wait', groupIds, entries })
  }

  /** Stops the server cleanly, or kills it if it does not answer within `timeoutMs`. */
  async stop(timeoutMs = 60_000): Promise<void> {
    if (this.#child.exitCode !== null) return
    const exited = new Promise((resolve) => this.#child.once('exit', resolve))
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs)
    this.#ask({ type: 'stop' }).catch(() => undefined)
    await exited
    clearTimeout(timer)
  }

  #ask(request: Request): Promise<ServerAnswer> {
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      const onExit = () => {
        reject(new Error('the server process exited'))
      }
      this.#child.once('exit', onExit)
      this.#pending.set(id, (answer) => {
        this.#child.off('exit', onExit)
        resolve(answer)
      })
      this.#child.send({ ...request, id })
    })
  }
}
