import type { Multiaddr } from '@multiformats/multiaddr'

/** First protocols of the addresses a Wesh node tells its peers about: ones every libp2p node can parse and route. */
const ROUTABLE_FIRST_PROTOCOLS: ReadonlySet<string> = new Set([
  'ip4',
  'ip6',
  'dns',
  'dns4',
  'dns6',
  'dnsaddr',
])

/**
 * libp2p's `announceFilter` of a Wesh node: only IP and DNS addresses (relayed ones included) go into identify and
 * peer records. A direct link's address (`/ble/…`) is found by scanning and means nothing out of radio range, and a
 * peer whose process does not know its protocol code fails to parse the whole identify message, so it never
 * identifies us and never fetches our blocks (RESILIENCE.md bug 4).
 */
export function announcedAddresses(addresses: Multiaddr[]): Multiaddr[] {
  return addresses.filter((address) => ROUTABLE_FIRST_PROTOCOLS.has(address.getComponents()[0]?.name ?? ''))
}
