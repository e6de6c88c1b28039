import type { Command } from 'commander'
import { CliErrorCode, cliError } from '../errors.js'

/** Runs `task` with a signal that aborts after `--timeout` seconds; a task cut short throws `TIMEOUT`. */
export async function withTimeout<T>(
  seconds: string,
  command: Command,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const value = Number(seconds)
  if (!(value > 0))
    command.error(`--timeout must be a positive number of seconds, not "${seconds}"`, { exitCode: 2 })
  const signal = AbortSignal.timeout(value * 1000)
  try {
    return await task(signal)
  } catch (error) {
    if (signal.aborted) {
      throw cliError(CliErrorCode.TIMEOUT, `gave up waiting after ${value} s`, { data: { seconds: value } })
    }
    throw error
  }
}
