import { ed25519KeyPair, ed25519Signer, isWeshError, randomBytes, toHex, utf8ToBytes } from '@wesh/crypto'
import { RatchetReceiver, RatchetSender } from '@wesh/ratchet'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MAX_ENVELOPE_BYTES,
  MAX_PAYLOAD_BYTES,
  createMultiMemberGroup,
  decodeWire,
  encodeWire,
  entrySigningInput,
  openMessage,
  openMessageHeaders,
  sealMessage,
  signEntry,
  verifyEntry,
} from '../src/index.js'
import { admittedEntryPayload } from '../src/entry.js'
import { FUZZ_RUNS, expectCode } from './helpers.js'

describe('signed entries', () => {
  const { group } = createMultiMemberGroup()

  it('verify under sign_pub and return the payload', () => {
    const payload = randomBytes(100)
    expect(verifyEntry(group.signPublicKey, signEntry(group.secret, payload))).toEqual(payload)
    expect(verifyEntry(group.signPublicKey, signEntry(ed25519Signer(group.secret), payload))).toEqual(payload)
  })

  it('give the payload of an admitted entry without checking again, and refuse what is not one', () => {
    const payload = randomBytes(100)
    expect(admittedEntryPayload(signEntry(group.secret, payload))).toEqual(payload)
    expectCode(() => admittedEntryPayload(Uint8Array.of(0xff, 0xff)), 'MALFORMED_MESSAGE')
  })

  it('reject entries signed by anyone but the group (a non-member forging)', () => {
    expectCode(
      () => verifyEntry(group.signPublicKey, signEntry(randomBytes(32), randomBytes(10))),
      'INVALID_SIGNATURE',
    )
    const other = createMultiMemberGroup().group
    expectCode(
      () => verifyEntry(group.signPublicKey, signEntry(other.secret, randomBytes(10))),
      'INVALID_SIGNATURE',
    )
  })

  it('reject a changed payload', () => {
    const entry = decodeWire('SignedEntry', signEntry(group.secret, utf8ToBytes('pay 1')))
    const forged = encodeWire('SignedEntry', { payload: utf8ToBytes('pay 9'), sig: entry.sig })
    expectCode(() => verifyEntry(group.signPublicKey, forged), 'INVALID_SIGNATURE')
  })

  it('bind the signature to the entry context', () => {
    const input = entrySigningInput(new Uint8Array(0))
    expect(new TextDecoder().decode(input.subarray(0, 13))).toBe('wesh/entry/v1')
    expect(input).toHaveLength(13 + 32)
  })

  it(`accepts payloads of ${MAX_ENVELOPE_BYTES} bytes and refuses one more`, () => {
    const payload = new Uint8Array(MAX_ENVELOPE_BYTES)
    expect(verifyEntry(group.signPublicKey, signEntry(group.secret, payload))).toHaveLength(
      MAX_ENVELOPE_BYTES,
    )
    expectCode(() => signEntry(group.secret, new Uint8Array(MAX_ENVELOPE_BYTES + 1)), 'INVALID_LENGTH')
  })

  it('never throws anything but a WeshError on random entries', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          verifyEntry(group.signPublicKey, bytes)
        } catch (error) {
          if (!isWeshError(error)) throw error
        }
      }),
      { numRuns: FUZZ_RUNS },
    )
  })
})

describe('message envelopes', () => {
  function setup() {
    const { group } = createMultiMemberGroup()
    const device = ed25519KeyPair()
    const sender = RatchetSender.create(group.publicKey)
    const receiver = RatchetReceiver.create(group.publicKey, sender.chain())
    const receivers = new Map([[toHex(device.publicKey), receiver]])
    const receiverFor = (devicePk: Uint8Array) => receivers.get(toHex(devicePk))
    const seal = (text: string) =>
      sealMessage({ secret: group.secret, sender, deviceKey: device.seed, plaintext: utf8ToBytes(text) })
        .envelope
    return { group, device, sender, receiver, receiverFor, seal }
  }

  it('carry a message from one device to a member who holds its chain', () => {
    const { group, device, receiverFor, seal } = setup()
    const opened = openMessage({ secret: group.secret, envelope: seal('hello'), receiverFor })
    expect(new TextDecoder().decode(opened.plaintext)).toBe('hello')
    expect(opened.devicePk).toEqual(device.publicKey)
    expect(opened.counter).toBe(1)
  })

  it('show who sent it and at which counter with the group secret alone', () => {
    const { group, device, seal } = setup()
    seal('one')
    const headers = openMessageHeaders(group.secret, seal('two'))
    expect(headers.counter).toBe(2)
    expect(headers.devicePk).toEqual(device.publicKey)
  })

  it('read out of order', () => {
    const { group, receiverFor, seal } = setup()
    const envelopes = ['a', 'b', 'c'].map(seal)
    for (const [index, text] of [
      [2, 'c'],
      [0, 'a'],
      [1, 'b'],
    ] as const) {
      const envelope = envelopes[index] ?? new Uint8Array()
      expect(
        new TextDecoder().decode(openMessage({ secret: group.secret, envelope, receiverFor }).plaintext),
      ).toBe(text)
    }
  })

  it('reject a replay with RATCHET_KEY_UNAVAILABLE', () => {
    const { group, receiverFor, seal } = setup()
    const envelope = seal('once')
    openMessage({ secret: group.secret, envelope, receiverFor })
    expectCode(() => openMessage({ secret: group.secret, envelope, receiverFor }), 'RATCHET_KEY_UNAVAILABLE')
  })

  it('reject an envelope from another group with DECRYPTION_FAILED', () => {
    const { receiverFor, seal } = setup()
    expectCode(
      () => openMessage({ secret: createMultiMemberGroup().group.secret, envelope: seal('x'), receiverFor }),
      'DECRYPTION_FAILED',
    )
  })

  it('report CHAIN_KEY_UNKNOWN, changing nothing, until the device chain arrives', () => {
    const { group, receiver, seal } = setup()
    const envelope = seal('early')
    expectCode(
      () => openMessage({ secret: group.secret, envelope, receiverFor: () => undefined }),
      'CHAIN_KEY_UNKNOWN',
    )
    expect(
      new TextDecoder().decode(
        openMessage({ secret: group.secret, envelope, receiverFor: () => receiver }).plaintext,
      ),
    ).toBe('early')
  })

  it('reject a corrupted body with RATCHET_AUTH_FAILED and leave the chain usable', () => {
    const { group, receiverFor, seal } = setup()
    const envelope = seal('body')
    const fields = decodeWire('MessageEnvelope', envelope)
    const message = new Uint8Array(fields.message)
    message[20] = (message[20] ?? 0) ^ 1
    expectCode(
      () =>
        openMessage({
          secret: group.secret,
          envelope: encodeWire('MessageEnvelope', { ...fields, message }),
          receiverFor,
        }),
      'RATCHET_AUTH_FAILED',
    )
    expect(openMessage({ secret: group.secret, envelope, receiverFor }).counter).toBe(1)
  })

  it('reject a member writing on another device chain without its key (INVALID_SIGNATURE), spending nothing', () => {
    // The forger holds the victim's chain (every member does) but not its device key.
    const { group, device, sender, receiverFor } = setup()
    const forger = ed25519KeyPair()
    const forgerChain = RatchetSender.create(group.publicKey, sender.chain())
    const { envelope } = sealMessage({
      secret: group.secret,
      sender: forgerChain,
      deviceKey: forger.seed,
      plaintext: utf8ToBytes('forged'),
    })
    const fields = decodeWire('MessageEnvelope', envelope)
    const headers = decodeWire('MessageHeaders', openHeadersRaw(group.secret, fields))
    const lying = encodeWire('MessageHeaders', { ...headers, devicePk: device.publicKey })
    const resealed = resealHeaders(group.secret, fields, lying)
    expectCode(
      () => openMessage({ secret: group.secret, envelope: resealed, receiverFor }),
      'INVALID_SIGNATURE',
    )
    // The genuine message with the same counter still opens: the forgery spent no key.
    const genuine = sealMessage({
      secret: group.secret,
      sender,
      deviceKey: device.seed,
      plaintext: utf8ToBytes('real'),
    })
    expect(openMessage({ secret: group.secret, envelope: genuine.envelope, receiverFor }).plaintext).toEqual(
      utf8ToBytes('real'),
    )
  })

  it(`seal plaintexts of ${MAX_PAYLOAD_BYTES} bytes and refuse one more`, () => {
    const { group, receiverFor, sender, device } = setup()
    const big = sealMessage({
      secret: group.secret,
      sender,
      deviceKey: device.seed,
      plaintext: new Uint8Array(MAX_PAYLOAD_BYTES),
    })
    expect(big.envelope.length).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES)
    expect(openMessage({ secret: group.secret, envelope: big.envelope, receiverFor }).plaintext).toHaveLength(
      MAX_PAYLOAD_BYTES,
    )
    expectCode(
      () =>
        sealMessage({
          secret: group.secret,
          sender,
          deviceKey: device.seed,
          plaintext: new Uint8Array(MAX_PAYLOAD_BYTES + 1),
        }),
      'INVALID_LENGTH',
    )
  })

  it('never throw anything but a WeshError on mutated or random envelopes, and never change state on one', () => {
    const { group, seal, sender } = setup()
    const chain = sender.chain()
    const envelope = seal('fuzz me')
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.tuple(fc.nat(envelope.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
            const copy = new Uint8Array(envelope)
            copy[i] = (copy[i] ?? 0) ^ x
            return copy
          }),
          fc.nat(envelope.length - 1).map((n) => envelope.subarray(0, n)),
        ),
        (bytes) => {
          const receiver = RatchetReceiver.create(group.publicKey, chain)
          try {
            // protons reads a known field whatever its wire type, so a few re-encodings of the same
            // authenticated content still open: they must give the same message.
            const opened = openMessage({ secret: group.secret, envelope: bytes, receiverFor: () => receiver })
            expect(new TextDecoder().decode(opened.plaintext)).toBe('fuzz me')
          } catch (error) {
            if (!isWeshError(error)) throw error
            expect(receiver.counter).toBe(0)
          }
        },
      ),
      { numRuns: FUZZ_RUNS },
    )
  })
})

import { open, seal as secretboxSeal } from '@wesh/crypto'
function openHeadersRaw(secret: Uint8Array, fields: { messageHeaders: Uint8Array; nonce: Uint8Array }) {
  return open(secret, fields.nonce, fields.messageHeaders)
}
function resealHeaders(
  secret: Uint8Array,
  fields: { messageHeaders: Uint8Array; message: Uint8Array; nonce: Uint8Array },
  headers: Uint8Array,
) {
  return encodeWire('MessageEnvelope', {
    ...fields,
    messageHeaders: secretboxSeal(secret, fields.nonce, headers),
  })
}
