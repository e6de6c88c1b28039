import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import type { PeerDiscovery, Transport } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import type { Libp2pOptions } from 'libp2p'
import { type WeshServiceOptions, type WeshServices, weshServices } from '../node/wesh-services.js'

/** Network settings of a Wesh node in a browser. */
export interface BrowserNetworkOptions extends WeshServiceOptions {
  /**
   * Node peers to connect to at start, as WebSockets multiaddrs with peer IDs (`/ip4/…/tcp/…/ws/p2p/…`): a
   * page cannot listen, so it reaches the network through peers it dials.
   */
  readonly bootstrap?: readonly string[]
  /**
   * Addresses to listen on; `/p2p-circuit` makes the page reachable through a circuit relay, and `/webrtc` next to
   * it lets other browsers upgrade to a direct WebRTC connection signalled through that relay. Default none.
   */
  readonly listen?: readonly string[]
  /**
   * STUN/TURN servers for WebRTC. Default none: browsers then connect directly only on networks where their host
   * addresses reach each other (a LAN, one machine), and nothing is asked of a third party.
   */
  readonly iceServers?: readonly RTCIceServer[]
  /**
   * Dial private and loopback addresses (a LAN, or a test on 127.0.0.1). Default false: libp2p refuses them in
   * browsers, so that a web page cannot probe the visitor's local network.
   */
  readonly privateAddresses?: boolean
  /** More transports. */
  readonly transports?: readonly ((components: never) => Transport)[]
  /** More peer discovery mechanisms. */
  readonly peerDiscovery?: readonly ((components: never) => PeerDiscovery)[]
}

/**
 * The libp2p configuration of a Wesh node in a browser: WebSockets (dial only), the circuit-relay v2 client and
 * WebRTC between browsers (signalled through a relay) with Noise and Yamux, and the same services as on Node (no
 * TCP, no mDNS: a page has neither).
 */
export function weshBrowserLibp2pOptions(options: BrowserNetworkOptions = {}): Libp2pOptions<WeshServices> {
  const peerDiscovery = [
    ...(options.bootstrap?.length ? [bootstrap({ list: [...options.bootstrap] })] : []),
    ...(options.peerDiscovery ?? []),
  ]
  return {
    addresses: { listen: [...(options.listen ?? [])] },
    transports: [
      webSockets(),
      circuitRelayTransport(),
      // Without iceServers, @libp2p/webrtc would ask public STUN servers.
      webRTC({ rtcConfiguration: { iceServers: [...(options.iceServers ?? [])] } }),
      ...(options.transports ?? []),
    ] as NonNullable<Libp2pOptions<WeshServices>['transports']>,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: peerDiscovery as NonNullable<Libp2pOptions<WeshServices>['peerDiscovery']>,
    ...(options.privateAddresses ? { connectionGater: { denyDialMultiaddr: () => false } } : {}),
    services: weshServices(options),
  }
}
