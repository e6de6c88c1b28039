import { isWeshError, randomBytes, x25519KeyPair } from '@wesh/crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  AccountKeys,
  MAX_HANDSHAKE_FRAME_BYTES,
  decodeHello,
  decodeRequesterAcknowledge,
  decodeWire,
  encodeHello,
  encodeRequesterAcknowledge,
  encodeWire,
  libp2pPublicKey,
  openRequesterAuthenticate,
  openResponderAccept,
  parseLibp2pPublicKey,
  requesterHandshakeKeys,
  responderAuthenticateKey,
  responderHandshakeKeys,
  sealRequesterAuthenticate,
  sealResponderAccept,
} from '../src/index.js'
import { FUZZ_RUNS, expectCode } from './helpers.js'

function run() {
  const A = AccountKeys.create()
  const B = AccountKeys.create()
  const a = x25519KeyPair()
  const b = x25519KeyPair()
  // 1–2: Hello both ways.
  const bPub = decodeHello(encodeHello(b.publicKey))
  const aPub = decodeHello(encodeHello(a.publicKey))
  const requester = requesterHandshakeKeys({
    accountSeed: A.accountSeed(),
    ephemeralSecret: a.secretKey,
    peerEphemeralPub: bPub,
    peerAccountId: B.accountId,
  })
  // 3: A authenticates; B opens it knowing only its own keys and a.
  const frame3 = sealRequesterAuthenticate({
    keys: requester,
    accountSeed: A.accountSeed(),
    accountId: A.accountId,
  })
  const early = responderAuthenticateKey({
    accountSeed: B.accountSeed(),
    ephemeralSecret: b.secretKey,
    peerEphemeralPub: aPub,
  })
  const requesterId = openRequesterAuthenticate({ keys: early, frame: frame3 })
  const responder = responderHandshakeKeys({
    accountSeed: B.accountSeed(),
    ephemeralSecret: b.secretKey,
    peerEphemeralPub: aPub,
    peerAccountId: requesterId,
  })
  // 4: B accepts; 5: A acknowledges.
  const frame4 = sealResponderAccept({ keys: responder, accountSeed: B.accountSeed() })
  return { A, B, a, b, aPub, bPub, requester, responder, frame3, frame4, requesterId, early }
}

describe('contact-request handshake (§6.1)', () => {
  it('runs to the end and both sides agree on every key', () => {
    const { A, B, requester, responder, requesterId, frame4, early } = run()
    expect(requesterId).toEqual(A.accountId)
    expect(responder).toEqual(requester)
    expect(early.requesterBoxKey).toEqual(requester.requesterBoxKey)
    openResponderAccept({ keys: requester, peerAccountId: B.accountId, frame: frame4 })
    decodeRequesterAcknowledge(encodeRequesterAcknowledge())
  })

  it('fails when the requester talks to the wrong responder', () => {
    const { A, aPub, frame3, b } = run()
    const impostor = AccountKeys.create()
    const keys = responderAuthenticateKey({
      accountSeed: impostor.accountSeed(),
      ephemeralSecret: b.secretKey,
      peerEphemeralPub: aPub,
    })
    expectCode(() => openRequesterAuthenticate({ keys, frame: frame3 }), 'DECRYPTION_FAILED')
    expect(A.accountId).toHaveLength(32)
  })

  it('rejects a requester signature over another session (replayed step 3)', () => {
    const first = run()
    const second = run()
    expectCode(
      () => openRequesterAuthenticate({ keys: second.early, frame: first.frame3 }),
      'DECRYPTION_FAILED',
    )
    // Same box key but a signature over another ab:
    const forged = sealRequesterAuthenticate({
      keys: { ab: randomBytes(32), requesterBoxKey: first.requester.requesterBoxKey },
      accountSeed: first.A.accountSeed(),
      accountId: first.A.accountId,
    })
    expectCode(() => openRequesterAuthenticate({ keys: first.early, frame: forged }), 'INVALID_SIGNATURE')
  })

  it('rejects a requester naming an account whose key it does not hold', () => {
    const { requester, early } = run()
    const victim = AccountKeys.create()
    const frame = sealRequesterAuthenticate({
      keys: requester,
      accountSeed: AccountKeys.create().accountSeed(),
      accountId: victim.accountId,
    })
    expectCode(() => openRequesterAuthenticate({ keys: early, frame }), 'INVALID_SIGNATURE')
  })

  it('rejects a responder accept signed by another account', () => {
    const { requester, responder, B } = run()
    const frame = sealResponderAccept({ keys: responder, accountSeed: AccountKeys.create().accountSeed() })
    expectCode(
      () => openResponderAccept({ keys: requester, peerAccountId: B.accountId, frame }),
      'INVALID_SIGNATURE',
    )
  })

  it('rejects frames out of order', () => {
    const { requester, early, frame3, frame4, B } = run()
    expectCode(() => openRequesterAuthenticate({ keys: early, frame: frame4 }), 'DECRYPTION_FAILED')
    expectCode(
      () => openResponderAccept({ keys: requester, peerAccountId: B.accountId, frame: frame3 }),
      'DECRYPTION_FAILED',
    )
    expectCode(() => decodeHello(frame3), 'MALFORMED_MESSAGE')
    expectCode(
      () => decodeRequesterAcknowledge(encodeWire('RequesterAcknowledgePayload', { success: false })),
      'HANDSHAKE_FAILED',
    )
  })

  it('encodes account keys in libp2p protobuf form and refuses other key types', () => {
    const { A } = run()
    const encoded = libp2pPublicKey(A.accountId)
    expect([...encoded.subarray(0, 4)]).toEqual([0x08, 0x01, 0x12, 0x20])
    expect(parseLibp2pPublicKey(encoded)).toEqual(A.accountId)
    const secp = new Uint8Array(encoded)
    secp[1] = 2
    expectCode(() => parseLibp2pPublicKey(secp), 'HANDSHAKE_FAILED')
    expectCode(() => parseLibp2pPublicKey(encoded.subarray(0, 35)), 'HANDSHAKE_FAILED')
  })

  it(`accepts frames of ${MAX_HANDSHAKE_FRAME_BYTES} bytes and refuses one more`, () => {
    const frame = (n: number) => {
      const bytes = encodeWire('BoxEnvelope', { box: new Uint8Array(n) })
      return bytes
    }
    const at = frame(MAX_HANDSHAKE_FRAME_BYTES - 3)
    expect(at).toHaveLength(MAX_HANDSHAKE_FRAME_BYTES)
    expect(decodeWire('BoxEnvelope', at).box).toHaveLength(MAX_HANDSHAKE_FRAME_BYTES - 3)
    expectCode(
      () => decodeWire('BoxEnvelope', new Uint8Array(MAX_HANDSHAKE_FRAME_BYTES + 1)),
      'MESSAGE_TOO_LARGE',
    )
  })

  it('rejects a low-order ephemeral key with WEAK_KEY', () => {
    const { A, B } = run()
    expectCode(
      () =>
        requesterHandshakeKeys({
          accountSeed: A.accountSeed(),
          ephemeralSecret: randomBytes(32),
          peerEphemeralPub: new Uint8Array(32),
          peerAccountId: B.accountId,
        }),
      'WEAK_KEY',
    )
  })

  it('never throws anything but a WeshError on random frames at any step', () => {
    const { requester, early, B } = run()
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (frame) => {
        for (const step of [
          () => decodeHello(frame),
          () => openRequesterAuthenticate({ keys: early, frame }),
          () => openResponderAccept({ keys: requester, peerAccountId: B.accountId, frame }),
          () => decodeRequesterAcknowledge(frame),
        ]) {
          try {
            step()
          } catch (error) {
            if (!isWeshError(error)) throw error
          }
        }
      }),
      { numRuns: FUZZ_RUNS },
    )
  })
})
