import { identify } from '@libp2p/identify'
import type { Libp2p, ServiceMap } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2pOptions } from 'libp2p'

/** Listen address, transports and limits of every test node: TCP on 127.0.0.1 port 0, Noise, Yamux. */
export function loopbackOptions(): Omit<Libp2pOptions, 'services'> {
  return {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    // Every test peer dials from 127.0.0.1: exempt it from the per-host inbound rate limit (5 per second) and
    // the cap on pending inbound handshakes, which the bootstrap peers of a 20-node network would hit.
    connectionManager: { allow: ['/ip4/127.0.0.1/ipcidr/32'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  }
}

/** A libp2p node on 127.0.0.1, port 0, TCP + Noise + Yamux, with the given services plus identify and ping. */
export async function loopbackNode<S extends ServiceMap>(
  services: Libp2pOptions<S>['services'],
): Promise<Libp2p<S & { identify: unknown; ping: unknown }>> {
  return (await createLibp2p({
    ...loopbackOptions(),
    services: { identify: identify(), ping: ping(), ...services },
  })) as Libp2p<S & { identify: unknown; ping: unknown }>
}
