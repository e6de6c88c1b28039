import { ContactRequests, linkDevice, parseLinkCode } from '@wesh/contacts'
import { bytesToUtf8, utf8ToBytes } from '@wesh/crypto'
import {
  IndexedDbSecretStore,
  WeshAccount,
  createBrowserWeshNode,
  type SecretStore,
  type WeshNode,
} from '@wesh/groups/browser'
import { ReplicationDeviceSync } from '@wesh/replication/client'

/** IndexedDB names of this page's node and secrets: one account per origin. */
const NODE_NAME = 'wesh-web'
const SECRETS_NAME = 'wesh-web/secrets'
/** The display name the person chose, kept next to the account keys; its presence means the account exists. */
const DISPLAY_NAME = 'web/display-name'

/** The account open in this page, on a node that reaches Node peers over WebSockets. */
export interface WeshClient {
  readonly node: WeshNode
  readonly account: WeshAccount
  readonly contacts: ContactRequests
  /** Hands the account's groups to the replication devices linked to it (from any of its devices). */
  readonly replication: ReplicationDeviceSync
  readonly displayName: string
  stop(): Promise<void>
}

/** Opens the page's secret store; the caller closes it, or hands it to {@link startWeshClient}. */
export function openSecrets(): Promise<IndexedDbSecretStore> {
  return IndexedDbSecretStore.open(SECRETS_NAME)
}

/** The display name of the account kept in `secrets`, or undefined when this browser has no account yet. */
export async function storedDisplayName(secrets: SecretStore): Promise<string | undefined> {
  const stored = await secrets.get(DISPLAY_NAME)
  return stored && bytesToUtf8(stored)
}

/** Loopback and private IPv4 addresses: a LAN or a test, where the page must dial what browsers refuse by default. */
const PRIVATE_ADDRESS = /^\/ip4\/(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/

/** How long a page waits for its relay reservation before it opens the account anyway (no relay among its peers). */
const RELAY_WAIT_MS = 10_000

/**
 * Resolves once the node holds a relayed address (a reservation on a `wesh daemon --relay`), or after
 * {@link RELAY_WAIT_MS}. The account announces its rendezvous points on the DHT as it opens, with the addresses the
 * node has then: announced before the reservation, they carry none, and DHT nodes drop such a provider record, so
 * that nobody reached through the DHT could dial the page.
 */
async function relayedAddress(node: WeshNode): Promise<void> {
  const { libp2p } = node
  const relayed = () => libp2p.getMultiaddrs().some((address) => address.toString().includes('/p2p-circuit'))
  if (relayed()) return
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      libp2p.removeEventListener('self:peer:update', check)
      resolve()
    }
    const check = () => {
      if (relayed()) done()
    }
    const timer = setTimeout(done, RELAY_WAIT_MS)
    libp2p.addEventListener('self:peer:update', check)
  })
}

/**
 * Starts the node and opens the account kept in `secrets` — or creates one named `newName` (PROTOCOL.md §1), or,
 * given `linkCode` (a `wesh://link/…` code from `wesh device link`), joins the account of that device as a new
 * device of it (§6.3) — then takes contact requests on every discovery system and feeds the account's replication
 * devices. `peers` are WebSockets multiaddrs of Node peers.
 */
export async function startWeshClient(options: {
  readonly secrets: SecretStore
  readonly peers: readonly string[]
  readonly newName?: string
  readonly linkCode?: string
}): Promise<WeshClient> {
  const { secrets, peers } = options
  // A code that does not parse is refused before the node starts (INVALID_LINK_CODE).
  if (options.linkCode !== undefined) parseLinkCode(options.linkCode)
  const lan = peers.length > 0 && peers.every((peer) => PRIVATE_ADDRESS.test(peer))
  const node = await createBrowserWeshNode({
    name: NODE_NAME,
    network: {
      bootstrap: peers,
      // A page cannot listen: it takes a reservation on the relays among the peers it dials (`wesh daemon --relay`),
      // and its peer record then carries their relayed addresses, at which others dial it; other pages dial the same
      // addresses with `/webrtc` and get a direct WebRTC connection, signalled through the relay.
      listen: ['/p2p-circuit', '/webrtc'],
      ...(lan ? { privateAddresses: true, dht: 'lan' } : {}),
    },
  })
  let account: WeshAccount
  try {
    // A reload skips the wait: the records of the first start are still on the DHT nodes (48 h, and reprovided).
    if (options.newName !== undefined || options.linkCode !== undefined) await relayedAddress(node)
    account =
      options.linkCode === undefined
        ? await WeshAccount.open({ node, secrets })
        : await linkDevice({ node, secrets, code: options.linkCode })
  } catch (error) {
    await node.stop()
    throw error
  }
  // Stored once the account is there: a link that failed leaves this browser without an account, as before.
  if (options.newName !== undefined) await secrets.put(DISPLAY_NAME, utf8ToBytes(options.newName))
  const displayName = (await storedDisplayName(secrets)) ?? ''
  const contacts = await ContactRequests.start({ account })
  // A linked device takes the account's setting from its other devices, once the account group has synced.
  if (options.linkCode === undefined && !account.state.contactRequestsEnabled)
    await account.enableContactRequests()
  const replication = ReplicationDeviceSync.start({ account })
  return {
    node,
    account,
    contacts,
    replication,
    displayName,
    async stop() {
      await replication.stop()
      await contacts.stop()
      await account.close()
      await node.stop()
      await secrets.close()
    },
  }
}
