import { toHex } from '@wesh/crypto'
import type { Group } from '@wesh/groups'
import type { SimDevice } from './sim-device.js'

const short = (hash: string) => hash.slice(-6)

/**
 * What a failed wait left behind, for whoever reads the log of the run: which devices were connected to which
 * (and over what), and each device's heads of both logs of every group it is in.
 */
export async function describeLinks(
  devices: readonly SimDevice[],
  groups: readonly Group[],
): Promise<string> {
  const names = new Map(devices.map((device) => [device.node.libp2p.peerId.toString(), device.name]))
  const lines: string[] = []
  for (const device of devices) {
    const links = device.node.libp2p
      .getConnections()
      .map((connection) => {
        const over = connection.remoteAddr.toString().includes('/ble/') ? 'ble' : 'tcp'
        return `${names.get(connection.remotePeer.toString()) ?? 'other'}/${over}/${connection.status}`
      })
      .sort()
    lines.push(`${device.name} links: ${links.join(' ') || 'none'}`)
    // Who gossipsub counts as subscribed to each log's topic, and whom it has a stream with: heads travel there.
    const pubsub = device.node.libp2p.services.pubsub
    for (const topic of pubsub.getTopics().filter((t) => t.startsWith('/orbitdb/'))) {
      const who = (peers: { toString(): string }[]) =>
        peers
          .map((peer) => names.get(peer.toString()) ?? 'other')
          .sort()
          .join(',') || 'none'
      lines.push(
        `${device.name} topic …${short(topic)}: subscribers ${who(pubsub.getSubscribers(topic))}; ` +
          `pubsub peers ${who(pubsub.getPeers())}`,
      )
    }
    for (const group of groups) {
      const key = toHex(group.publicKey)
      if (!device.groups.some((joined) => toHex(joined.publicKey) === key)) continue
      const heads = await device.session(group).heads()
      lines.push(
        `${device.name} heads: metadata ${heads.metadata.map(short).sort().join(',')}; ` +
          `messages ${heads.messages.map(short).sort().join(',')}`,
      )
    }
  }
  return lines.join('\n')
}
