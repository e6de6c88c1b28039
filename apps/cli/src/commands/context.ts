import type { Command } from 'commander'
import { ApiClient } from '../api/client.js'
import { Output } from '../output.js'
import { Profile } from '../profile.js'

/** The options every command takes (defined once on the program, shown in every command's help). */
export interface GlobalOptions {
  readonly json?: boolean
  readonly profile?: string
}

/** The output and profile a command runs with, from the global options. */
export function commandContext(command: Command): { output: Output; profile: Profile } {
  const options = command.optsWithGlobals<GlobalOptions>()
  return { output: new Output(options.json === true), profile: Profile.locate(options.profile) }
}

/** Same, with a client of the profile's daemon; throws `DAEMON_NOT_RUNNING` if there is none. */
export async function daemonContext(command: Command): Promise<{ output: Output; client: ApiClient }> {
  const { output, profile } = commandContext(command)
  return { output, client: await ApiClient.connect(profile) }
}

/** Path segment for a group or poll reference (IDs, prefixes and names alike). */
export function segment(reference: string): string {
  return encodeURIComponent(reference)
}

/** `value`, or all of standard input when `value` is `-`, without its final newline. */
export async function valueOrStdin(value: string): Promise<string> {
  if (value !== '-') return value
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}
