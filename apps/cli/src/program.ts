import { Command } from 'commander'
import { registerChat } from './commands/chat.js'
import { registerContact } from './commands/contact.js'
import { registerDaemon } from './commands/daemon.js'
import { registerDevice } from './commands/device.js'
import { registerGroup } from './commands/group.js'
import { registerId } from './commands/id.js'
import { registerInit } from './commands/init.js'
import { registerPeer } from './commands/peer.js'
import { registerPoll } from './commands/poll.js'
import { registerRead } from './commands/read.js'
import { registerReplicate } from './commands/replicate.js'
import { registerSend } from './commands/send.js'
import { registerStatus } from './commands/status.js'

/** The commands, in the order `wesh --help` lists them; a feature adds its `register…` here. */
const COMMANDS = [
  registerInit,
  registerDaemon,
  registerId,
  registerStatus,
  registerPeer,
  registerGroup,
  registerSend,
  registerRead,
  registerChat,
  registerPoll,
  registerContact,
  registerDevice,
  registerReplicate,
]

/** The `wesh` command line. */
export function createProgram(): Command {
  const program = new Command('wesh')
    .description(
      'Wesh: private messaging without servers. `wesh daemon` runs your node; the other commands use it.',
    )
    .option(
      '--profile <dir>',
      'profile directory (default: $WESH_PROFILE, else $XDG_DATA_HOME/wesh or ~/.local/share/wesh)',
    )
    .option('--json', 'print results as JSON on stdout (errors too), for scripts')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    // Errors come back to main as exceptions (exit codes decided there), and tests can run commands in-process.
    .exitOverride()
  for (const register of COMMANDS) register(program)
  return program
}
