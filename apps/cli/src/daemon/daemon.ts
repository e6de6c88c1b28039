import { ContactRequests, DeviceLinking, linkDevice } from '@wesh/contacts'
import { LevelSecretStore, WeshAccount, createWeshNode, type WeshNetworkOptions } from '@wesh/groups/node'
import { toHex } from '@wesh/crypto'
import { startApiServer } from '../api/server.js'
import type { Route } from '../api/route.js'
import type { Log } from '../log.js'
import { Profile } from '../profile.js'
import type { DaemonContext } from './context.js'
import { MessageFeed } from './message-feed.js'
import { accountRoutes } from './routes/account.js'
import { contactRoutes } from './routes/contacts.js'
import { deviceRoutes } from './routes/devices.js'
import { groupRoutes } from './routes/groups.js'
import { messageRoutes } from './routes/messages.js'
import { pollRoutes } from './routes/polls.js'
import { replicaRoutes } from './routes/replicas.js'

/** The API, one list of routes per feature; a feature package (contacts, replication) adds its own list here. */
const FEATURES: readonly ((context: DaemonContext) => Route[])[] = [
  accountRoutes,
  groupRoutes,
  messageRoutes,
  pollRoutes,
  contactRoutes,
  deviceRoutes,
  replicaRoutes,
]

export interface DaemonOptions {
  readonly profile: Profile
  readonly network: WeshNetworkOptions
  /** Port of the local API; 0 picks a free one. */
  readonly apiPort: number
  readonly log: Log
}

export interface RunningDaemon {
  readonly peerId: string
  readonly addresses: readonly string[]
  readonly apiUrl: string
  readonly accountId: Uint8Array
  stop(): Promise<void>
}

/**
 * Opens the profile's account on a Wesh node and serves the local API. Everything opened is closed again, in
 * reverse order, by `stop()` or when a step fails half-way.
 */
export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const { profile, log } = options
  await profile.assertNoDaemon()
  const config = await profile.config()
  const storeKey = await profile.storeKey()
  const undo: (() => Promise<void>)[] = []
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) {
      await step().catch((error: unknown) => {
        log('error', 'stopping failed', { error: String(error) })
      })
    }
  }
  try {
    const secrets = await LevelSecretStore.open(profile.secretsDirectory, storeKey)
    storeKey.fill(0) // the store keeps a copy
    undo.push(() => secrets.close())
    log('info', 'starting node', { profile: profile.directory })
    const node = await createWeshNode({ directory: profile.nodeDirectory, network: options.network })
    undo.push(() => node.stop())
    log('info', 'opening account')
    const account = await WeshAccount.open({
      node,
      secrets,
      // Entries refused, sync and discovery failures: worth a line, never fatal.
      onRejected: (what, error) => {
        log('warn', `${what}: ${String(error)}`)
      },
    })
    undo.push(() => account.close())
    const feed = new MessageFeed(log)
    undo.push(() => {
      feed.stop()
      return Promise.resolve()
    })
    // Contact requests on every discovery system of the node (DHT, local records, --rendezvous servers).
    const contacts = await ContactRequests.start({ account })
    undo.push(() => contacts.stop())
    contacts.addEventListener('request:received', ({ detail }) => {
      log('info', 'contact request received', { from: toHex(detail.card.accountId) })
    })
    contacts.addEventListener('request:sent', ({ detail }) => {
      log('info', 'contact request sent', { to: toHex(detail.accountId) })
    })
    const linking = await DeviceLinking.start({ account })
    undo.push(() => linking.stop())
    const context: DaemonContext = {
      node,
      network: options.network,
      account,
      config,
      feed,
      contacts,
      linking,
      log,
    }
    const token = Profile.newApiToken()
    const server = await startApiServer({
      routes: FEATURES.flatMap((feature) => feature(context)),
      token,
      port: options.apiPort,
      log,
    })
    undo.push(() => server.close())
    await profile.publishApi(server.url, token)
    undo.push(() => profile.unpublishApi())
    node.libp2p.addEventListener('peer:connect', (event) => {
      log('info', 'peer connected', { peer: String(event.detail) })
    })
    node.libp2p.addEventListener('peer:disconnect', (event) => {
      log('info', 'peer disconnected', { peer: String(event.detail) })
    })
    return {
      peerId: node.libp2p.peerId.toString(),
      addresses: node.libp2p.getMultiaddrs().map(String),
      apiUrl: server.url,
      accountId: account.accountId,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** `wesh init`'s second half: opens a new account in the profile, on a node that listens nowhere, and closes it. */
export async function createAccount(profile: Profile, storeKey: Uint8Array): Promise<Uint8Array> {
  const secrets = await LevelSecretStore.open(profile.secretsDirectory, storeKey)
  storeKey.fill(0)
  try {
    const node = await createWeshNode({
      directory: profile.nodeDirectory,
      network: { listen: [], mdns: false },
    })
    try {
      const account = await WeshAccount.open({ node, secrets })
      // A new account takes contact requests, so that the card `wesh id` shows works; `wesh contact disable` stops.
      await account.enableContactRequests()
      const accountId = new Uint8Array(account.accountId)
      await account.close()
      return accountId
    } finally {
      await node.stop()
    }
  } finally {
    await secrets.close()
  }
}

/**
 * `wesh device join`'s second half: a node that listens nowhere receives the account keys from the device that
 * showed `code` (PROTOCOL.md §6.3), opens the account in the new profile, and waits until the account group has
 * arrived from that device (its groups and contacts are then listed locally), then closes everything.
 */
export async function joinAccount(
  profile: Profile,
  storeKey: Uint8Array,
  code: string,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const secrets = await LevelSecretStore.open(profile.secretsDirectory, storeKey)
  storeKey.fill(0)
  try {
    const node = await createWeshNode({
      directory: profile.nodeDirectory,
      network: { listen: [], mdns: false },
    })
    try {
      const account = await linkDevice({ node, secrets, code, signal })
      try {
        const ours = toHex(account.accountGroup.devicePublicKey)
        // The existing device's entries have reached us once one of its devices is known in the account group.
        // `waitFor` notices its signal only at the next update: the race ends the wait at the deadline.
        await Promise.race([
          account.accountGroup.waitFor(
            (session) => [...session.state.deviceMembers.keys()].some((device) => device !== ours),
            { signal },
          ),
          new Promise<never>((_resolve, reject) => {
            signal.throwIfAborted()
            signal.addEventListener(
              'abort',
              () => {
                reject(signal.reason as Error)
              },
              { once: true },
            )
          }),
        ])
        await account.accountGroup.settled()
        return new Uint8Array(account.accountId)
      } finally {
        await account.close()
      }
    } finally {
      await node.stop()
    }
  } finally {
    await secrets.close()
  }
}
