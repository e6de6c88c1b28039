import { CommanderError, type Command } from 'commander'
import { expect, it } from 'vitest'
import { createProgram } from '../src/program.js'
import { wesh } from './processes.js'

/** Every command path (`['group', 'join']`) with the command itself, leaves and parents alike. */
function commandPaths(command: Command, path: string[] = []): [string[], Command][] {
  return command.commands.flatMap((sub) => [
    [[...path, sub.name()], sub] as [string[], Command],
    ...commandPaths(sub, [...path, sub.name()]),
  ])
}

it('prints --help, with --json and --profile, for every command', async () => {
  const paths = commandPaths(createProgram())
  expect(paths.map(([path]) => path.join(' '))).toEqual(
    expect.arrayContaining([
      'init',
      'daemon',
      'id',
      'status',
      'peer connect',
      'group create',
      'group invite',
      'group join',
      'group list',
      'group members',
      'send',
      'read',
      'chat',
      'poll create',
      'poll vote',
      'poll show',
      'contact add',
      'contact requests',
      'contact list',
      'contact accept',
      'contact discard',
      'contact block',
      'contact unblock',
      'contact enable',
      'contact disable',
      'device link',
      'device join',
      'replicate add',
      'replicate list',
    ]),
  )
  for (const [path] of paths) {
    const program = createProgram()
    let text = ''
    const capture = (command: Command): void => {
      command.configureOutput({ writeOut: (chunk) => (text += chunk), writeErr: (chunk) => (text += chunk) })
      command.commands.forEach(capture)
    }
    capture(program)
    const exit = await program.parseAsync(['node', 'wesh', ...path, '--help']).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(exit, path.join(' ')).toBeInstanceOf(CommanderError)
    expect((exit as CommanderError).exitCode).toBe(0)
    expect(text).toContain(`Usage: wesh ${path.join(' ')}`)
    expect(text).toContain('--json')
    expect(text).toContain('--profile <dir>')
  }
})

it('exits 0 on `wesh --help` and 2 on a usage mistake', async () => {
  const help = await wesh(['--help'])
  expect(help.code).toBe(0)
  expect(help.stdout).toContain('Usage: wesh')
  const mistake = await wesh(['send'])
  expect(mistake.code).toBe(2)
  expect(mistake.stderr).toContain("missing required argument 'group'")
  expect((await wesh(['no-such-command'])).code).toBe(2)
})
