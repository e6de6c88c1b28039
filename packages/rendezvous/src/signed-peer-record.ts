import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record'
import type { Multiaddr } from '@multiformats/multiaddr'
import { constantTimeEqual } from '@wesh/crypto'
import { MAX_SIGNED_PEER_RECORD_BYTES } from './rendezvous-protocol.js'

/** Multicodec of `/p2p/<peer id>`, stripped from the addresses of a peer record. */
const P2P_CODE = 421

/** A signed peer record (RFC 0002 envelope around a libp2p PeerRecord) of `peerId`'s addresses. */
export async function sealPeerRecord(
  privateKey: PrivateKey,
  peerId: PeerId,
  multiaddrs: Multiaddr[],
): Promise<Uint8Array<ArrayBuffer>> {
  const record = new PeerRecord({
    peerId,
    multiaddrs: multiaddrs.map((ma) => ma.decapsulateCode(P2P_CODE)),
    seqNumber: BigInt(Date.now()),
  })
  return new Uint8Array((await RecordEnvelope.seal(record, privateKey)).marshal())
}

/** What a verified signed peer record says. */
export interface OpenedPeerRecord {
  peerId: PeerId
  multiaddrs: Multiaddr[]
}

/**
 * Opens a signed peer record: checks its size, the envelope signature under the peer-record domain, the payload
 * type, and that the record's peer ID is the envelope signer's. Returns `undefined` when any check fails.
 */
export async function openPeerRecord(bytes: Uint8Array): Promise<OpenedPeerRecord | undefined> {
  if (bytes.byteLength === 0 || bytes.byteLength > MAX_SIGNED_PEER_RECORD_BYTES) return undefined
  try {
    const envelope = await RecordEnvelope.openAndCertify(bytes, PeerRecord.DOMAIN)
    if (!constantTimeEqual(envelope.payloadType, PeerRecord.CODEC)) return undefined
    const signer = peerIdFromPublicKey(envelope.publicKey)
    const record = PeerRecord.createFromProtobuf(envelope.payload)
    if (!record.peerId.equals(signer)) return undefined
    return { peerId: signer, multiaddrs: record.multiaddrs }
  } catch {
    // Any decoding or signature failure means "not a valid signed peer record".
    return undefined
  }
}
