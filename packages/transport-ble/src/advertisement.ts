import { peerIdFromString } from '@libp2p/peer-id'
import { MAX_ADVERTISEMENT_BYTES } from './constants.js'
import { BleError, BleErrorCode } from './errors.js'
import type { PeerId } from '@libp2p/interface'

/** First byte of this transport's advertisement payload; a different value is someone else's advertisement. */
export const ADVERTISEMENT_VERSION = 1

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** What a listener advertises: the version byte and the peer id as text (53 bytes for an Ed25519 peer id). */
export function encodeAdvertisement(peerId: PeerId): Uint8Array {
  const text = encoder.encode(peerId.toString())
  const bytes = new Uint8Array(1 + text.length)
  bytes[0] = ADVERTISEMENT_VERSION
  bytes.set(text, 1)
  if (bytes.length > MAX_ADVERTISEMENT_BYTES)
    throw new BleError(BleErrorCode.BLE_INVALID_ARGUMENT, 'peer id too long to advertise', {
      data: { argument: 'peerId' },
    })
  return bytes
}

/** The peer id in an advertisement, or undefined when it is not one of ours or is malformed. */
export function decodeAdvertisement(bytes: Uint8Array): PeerId | undefined {
  if (bytes.length < 2 || bytes.length > MAX_ADVERTISEMENT_BYTES || bytes[0] !== ADVERTISEMENT_VERSION)
    return undefined
  try {
    return peerIdFromString(decoder.decode(bytes.subarray(1)))
  } catch {
    return undefined
  }
}
