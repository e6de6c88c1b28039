import type { IdentifyResult, Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** A browser's address for WebRTC: its relayed address with `/webrtc`, `…/p2p/<relay>/p2p-circuit/webrtc/p2p/<peer>`. */
const WEBRTC_ADDRESS = /\/p2p-circuit\/webrtc\/p2p\/[^/]+$/
/**
 * Attempts at one upgrade, the pause doubling from {@link WEBRTC_UPGRADE_RETRY_MS} between them (about 15 s in
 * all): a WebRTC dial can fail after ICE connected (see below), and on a busy machine run out of libp2p's 6 s per
 * address.
 */
const WEBRTC_UPGRADE_ATTEMPTS = 5
const WEBRTC_UPGRADE_RETRY_MS = 1_000

const isWebRtcAddress = (address: Multiaddr): boolean => WEBRTC_ADDRESS.test(address.toString())

/**
 * Moves two browsers that reached each other through a relay onto a direct WebRTC connection: once a peer that
 * listens on `/webrtc` identifies itself over a relayed connection, this node dials its WebRTC address, signalled
 * through the relay. Both sides try: with @libp2p/webrtc 6.0.33 a dial can fail while the other side already counts
 * the connection as open (the dialler's `init` data channel never opens), and that side would then not try. libp2p
 * opens new streams on a direct connection; the relayed one stays open for the streams already on it. For the
 * node's lifetime.
 */
export function upgradeRelayedToWebRtc(libp2p: Libp2p): void {
  const direct = (peerId: PeerId) => libp2p.getConnections(peerId).some((connection) => connection.direct)
  const dial = async (peerId: PeerId, address: Multiaddr): Promise<void> => {
    for (let attempt = 1; attempt <= WEBRTC_UPGRADE_ATTEMPTS; attempt++) {
      if (libp2p.status !== 'started' || direct(peerId)) return
      try {
        await libp2p.dial(address)
        return
      } catch {
        // Retried below; after the last attempt the peers stay on the relay, as they were.
      }
      await new Promise((resolve) => setTimeout(resolve, WEBRTC_UPGRADE_RETRY_MS * 2 ** (attempt - 1)))
    }
  }
  libp2p.addEventListener('peer:identify', ({ detail }: CustomEvent<IdentifyResult>) => {
    const { connection, listenAddrs, peerId } = detail
    if (connection.direct || direct(peerId)) return
    const address = listenAddrs.find(isWebRtcAddress)
    if (address === undefined) return
    void dial(peerId, address)
  })
}
