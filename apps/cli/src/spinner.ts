import ora from 'ora'
import type { Output } from './output.js'

/**
 * Runs `task` behind a spinner on stderr, only when stderr is a terminal and output is not `--json`: scripts and
 * pipes see nothing of it.
 */
export async function withSpinner<T>(output: Output, text: string, task: () => Promise<T>): Promise<T> {
  const spinner = ora({
    text,
    stream: process.stderr,
    isSilent: output.json || !process.stderr.isTTY,
  }).start()
  try {
    const result = await task()
    spinner.stop()
    return result
  } catch (error) {
    spinner.stop()
    throw error
  }
}
