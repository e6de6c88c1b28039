// The writer node of the crash test, run in a child process by `runCrashTest`, which kills it with SIGKILL. It
// opens (recovers) its node from its directory, reports what it holds, and on command writes without pause,
// reporting each message whose `send` resolved: those are the ones that must survive the kill.
import { join } from 'node:path'
import { fromHex, isWeshError, randomBytes, toHex } from '@wesh/crypto'
import { AccountKeys, parseInvitation } from '@wesh/groups'
import { GroupSession, LevelSecretStore, createWeshNode, membershipOf } from '@wesh/groups/node'
import { multiaddr } from '@multiformats/multiaddr'
import { headsOf } from '../convergence.js'
import type { CrashChildConfig, CrashCommand, CrashReport } from './crash-protocol.js'

/** Sends in flight at once, so that the kill lands anywhere in the write path, not between two sends. */
const IN_FLIGHT = 4

const report = (message: CrashReport) => process.send?.(message)
const config = JSON.parse(process.env.WESH_SIM_CRASH ?? 'null') as CrashChildConfig | null
if (config === null || process.send === undefined) throw new Error('run by runCrashTest, with an IPC channel')

// The peer also listens on the simulated radio. This process never loads `@wesh/transport-ble`, so it does not know
// the `/ble` code: it can still identify the peer only because Wesh nodes keep `/ble` out of what they announce
// (RESILIENCE.md bug 4).

let stage = 'node'
try {
  const opening = performance.now()
  const node = await createWeshNode({
    directory: config.directory,
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan', rendezvousServers: [] },
  })
  stage = 'secret store'
  const secrets = await LevelSecretStore.open(join(config.directory, 'secrets'), fromHex(config.storeKey))
  stage = 'group session'
  const account = AccountKeys.fromState(config.account)
  const group = parseInvitation(fromHex(config.invitation))
  const session = await GroupSession.open({
    node,
    secrets,
    group,
    ...membershipOf(account, group),
    onRejected: (what, error) =>
      report({ type: 'rejected', what, code: isWeshError(error) ? error.code : String(error) }),
  })
  stage = 'read'
  const held = (await session.messages()).map((message) => message.id)
  report({ type: 'ready', held, openMs: performance.now() - opening })
  node.libp2p.dial(config.peer.map((address) => multiaddr(address))).catch((error: unknown) => {
    report({ type: 'rejected', what: 'dial', code: String(error) })
  })

  /** Our device has sent its chain key to every member, the peer included (PROTOCOL.md §5 join flow). */
  const joined = (s: GroupSession) =>
    s.state.members.size >= 2 &&
    (s.state.chainKeysSent.get(toHex(s.devicePublicKey))?.size ?? 0) >= s.state.members.size
  let writing = false
  let watching = false
  const write = async () => {
    let i = 0
    while (writing) {
      const body = randomBytes(config.messageBytes)
      body.set(new TextEncoder().encode(`message ${i++} `))
      const id = await session.send(body)
      report({ type: 'sent', id })
    }
  }
  process.on('message', (command: CrashCommand) => {
    switch (command.type) {
      case 'write':
        watching = false
        writing = true
        void (async () => {
          // See CrashChildConfig.writeAtOnce: our chain key must have gone to the peer before we write.
          if (!config.writeAtOnce) await session.waitFor(joined)
          for (let n = 0; n < IN_FLIGHT; n++) void write()
        })()
        break
      case 'watch':
        watching = true
        void (async () => {
          while (watching) {
            const next = session.nextUpdate()
            report({ type: 'heads', heads: await headsOf(session) })
            await next
          }
        })()
        break
      case 'view':
        void session.messages().then((messages) => {
          report({ type: 'view', ids: messages.map((message) => message.id) })
        })
        break
      case 'stop':
        writing = false
        void (async () => {
          await session.close()
          await node.stop()
          await secrets.close()
          report({ type: 'stopped' })
          process.disconnect()
        })()
        break
    }
  })
} catch (error) {
  report({
    type: 'open-failed',
    stage,
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  })
  process.exitCode = 1
  process.disconnect()
}
