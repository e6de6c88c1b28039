import { describe, expect, it } from 'vitest'
import { weshLibp2pOptions } from '../../src/node/libp2p-options.js'

describe('weshLibp2pOptions', () => {
  it('listens through a relay and runs AutoNAT on the internet', () => {
    const options = weshLibp2pOptions({ mdns: false })
    expect(options.addresses?.listen).toContain('/p2p-circuit')
    expect(options.services).toHaveProperty('autoNAT')
  })

  // Both start random walks of the DHT that find nothing on a LAN and wrote the peer store hundreds of times a second.
  it("neither asks for a relay reservation nor runs AutoNAT on a 'lan' network, unless told to listen through a relay", () => {
    const lan = weshLibp2pOptions({ mdns: false, dht: 'lan', listen: ['/ip4/127.0.0.1/tcp/0'] })
    expect(lan.addresses?.listen).toEqual(['/ip4/127.0.0.1/tcp/0'])
    expect(lan.services).not.toHaveProperty('autoNAT')
    const hidden = weshLibp2pOptions({ mdns: false, dht: 'lan', listen: ['/p2p-circuit'] })
    expect(hidden.addresses?.listen).toEqual(['/p2p-circuit'])
  })
})
