import { isWeshError, x25519KeyPair } from '@wesh/crypto'
import {
  AccountKeys,
  GroupsErrorCode,
  decodeHello,
  encodeContactCard,
  encodeHello,
  encodeRequesterAcknowledge,
  openResponderAccept,
  requesterHandshakeKeys,
  sealRequesterAuthenticate,
} from '@wesh/groups'
import { streamPair } from '@libp2p/utils'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ContactsErrorCode,
  MAX_CONTACT_REQUEST_FRAME_BYTES,
  answerContactRequestOn,
  sendContactRequestOn,
} from '../src/index.js'
import { codeOf, framedPair, text } from './helpers.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 300)

const cardOf = (keys: AccountKeys, name = 'Alice') => ({
  accountId: keys.accountId,
  publicRendezvousSeed: keys.publicRendezvousSeed(),
  metadata: text(name),
})

function answer(keys: AccountKeys, stream: Parameters<typeof answerContactRequestOn>[0], admit = () => {}) {
  return answerContactRequestOn(stream, { keys, admit, timeoutMs: 5_000 }).then(async (answered) => {
    await answered.close()
    return answered.card
  })
}

/** A requester written from the spec's steps with @wesh/groups' pure functions, so tests can tamper with frames. */
async function scriptedRequester(
  peer: Awaited<ReturnType<typeof framedPair>>['peer'],
  alice: AccountKeys,
  bobId: Uint8Array,
) {
  const ephemeral = x25519KeyPair()
  const frames: Uint8Array[] = [encodeHello(ephemeral.publicKey)]
  await peer.write(frames[0]!)
  const b = decodeHello(await peer.read())
  const keys = requesterHandshakeKeys({
    accountSeed: alice.accountSeed(),
    ephemeralSecret: ephemeral.secretKey,
    peerEphemeralPub: b,
    peerAccountId: bobId,
  })
  frames.push(
    sealRequesterAuthenticate({ keys, accountSeed: alice.accountSeed(), accountId: alice.accountId }),
  )
  await peer.write(frames[1]!)
  openResponderAccept({ keys, peerAccountId: bobId, frame: await peer.read() })
  return { frames, keys }
}

describe('the /wesh/contact_req/1.0.0 handshake', () => {
  it('brings the requester’s card to the responder, both accounts authenticated', async () => {
    const alice = AccountKeys.create()
    const bob = AccountKeys.create()
    const [outbound, inbound] = await streamPair()
    const [card] = await Promise.all([
      answer(bob, inbound),
      sendContactRequestOn(outbound, {
        keys: alice,
        responderAccountId: bob.accountId,
        ownCard: cardOf(alice),
      }),
    ])
    expect(card.accountId).toEqual(alice.accountId)
    expect(card.publicRendezvousSeed).toEqual(alice.publicRendezvousSeed())
    expect(new TextDecoder().decode(card.metadata)).toBe('Alice')
  })

  it('runs the frames of the spec byte for byte, readable by a requester built from the pure functions', async () => {
    const alice = AccountKeys.create()
    const bob = AccountKeys.create()
    const { inbound, peer } = await framedPair()
    const answered = answer(bob, inbound)
    await scriptedRequester(peer, alice, bob.accountId)
    await peer.write(encodeRequesterAcknowledge())
    await peer.write(encodeContactCard(cardOf(alice)))
    expect((await answered).accountId).toEqual(alice.accountId)
  })

  it('refuses an admitted-no account right after step 3: the requester sees the stream end', async () => {
    const alice = AccountKeys.create()
    const bob = AccountKeys.create()
    const [outbound, inbound] = await streamPair()
    const blocked = answerContactRequestOn(inbound, {
      keys: bob,
      admit: () => {
        throw Object.assign(new Error('blocked'), { name: 'Blocked' })
      },
    })
    const sent = sendContactRequestOn(outbound, {
      keys: alice,
      responderAccountId: bob.accountId,
      ownCard: cardOf(alice),
    })
    expect(await codeOf(sent)).toBe(ContactsErrorCode.STREAM_ENDED)
    await expect(blocked).rejects.toThrow('blocked')
  })

  it('fails with DECRYPTION_FAILED when the requester names the wrong responder account', async () => {
    const alice = AccountKeys.create()
    const bob = AccountKeys.create()
    const carol = AccountKeys.create()
    const [outbound, inbound] = await streamPair()
    const answered = answer(bob, inbound)
    const sent = sendContactRequestOn(outbound, {
      keys: alice,
      responderAccountId: carol.accountId,
      ownCard: cardOf(alice),
    })
    expect(await codeOf(answered)).toBe(GroupsErrorCode.DECRYPTION_FAILED)
    expect(await codeOf(sent)).toBe(ContactsErrorCode.STREAM_ENDED)
  })

  it('rejects a responder that is not the account it claims (its accept does not open)', async () => {
    const alice = AccountKeys.create()
    const bob = AccountKeys.create()
    const mallory = AccountKeys.create()
    // Mallory answers on Bob's point: she cannot open Alice's authenticate box, which is bound to Bob's key.
    const [outbound, inbound] = await streamPair()
    const answered = answer(mallory, inbound)
    const sent = sendContactRequestOn(outbound, {
      keys: alice,
      responderAccountId: bob.accountId,
      ownCard: cardOf(alice),
    })
    expect(await codeOf(answered)).toBe(GroupsErrorCode.DECRYPTION_FAILED)
    expect(await codeOf(sent)).toBe(ContactsErrorCode.STREAM_ENDED)
  })

  it('rejects replayed handshake frames: a new session has a new responder ephemeral', async () => {
    const alice = AccountKeys.create()
    const bob = AccountKeys.create()
    const first = await framedPair()
    const firstAnswer = answer(bob, first.inbound)
    const { frames } = await scriptedRequester(first.peer, alice, bob.accountId)
    await first.peer.write(encodeRequesterAcknowledge())
    await first.peer.write(encodeContactCard(cardOf(alice)))
    await firstAnswer

    const replay = await framedPair()
    const replayed = answer(bob, replay.inbound)
    await replay.peer.write(frames[0]!)
    await replay.peer.read()
    await replay.peer.write(frames[1]!)
    expect(await codeOf(replayed)).toBe(GroupsErrorCode.DECRYPTION_FAILED)
  })

  it('refuses out-of-order steps', async () => {
    const bob = AccountKeys.create()
    const alice = AccountKeys.create()
    // Step 5 first.
    const early = await framedPair()
    const answered = answer(bob, early.inbound)
    await early.peer.write(encodeRequesterAcknowledge())
    expect(await codeOf(answered)).toBe(GroupsErrorCode.MALFORMED_MESSAGE)
    // The card before the acknowledgement.
    const skipped = await framedPair()
    const skipping = answer(bob, skipped.inbound)
    await scriptedRequester(skipped.peer, alice, bob.accountId)
    await skipped.peer.write(encodeContactCard(cardOf(alice)))
    expect(await codeOf(skipping)).toBe(GroupsErrorCode.MALFORMED_MESSAGE)
    // A second Hello where the authenticate box belongs.
    const twice = await framedPair()
    const hellos = answer(bob, twice.inbound)
    await twice.peer.write(encodeHello(x25519KeyPair().publicKey))
    await twice.peer.read()
    await twice.peer.write(encodeHello(x25519KeyPair().publicKey))
    expect(await codeOf(hellos)).toBe(GroupsErrorCode.DECRYPTION_FAILED)
  })

  it('refuses a malformed card and a card of another account than the authenticated one', async () => {
    const alice = AccountKeys.create()
    const bob = AccountKeys.create()
    const malformed = await framedPair()
    const first = answer(bob, malformed.inbound)
    await scriptedRequester(malformed.peer, alice, bob.accountId)
    await malformed.peer.write(encodeRequesterAcknowledge())
    await malformed.peer.write(Uint8Array.of(0x0a, 0x03, 1, 2, 3)) // pk of 3 bytes
    expect(await codeOf(first)).toBe(GroupsErrorCode.INVALID_CONTACT_CARD)

    const other = await framedPair()
    const second = answer(bob, other.inbound)
    await scriptedRequester(other.peer, alice, bob.accountId)
    await other.peer.write(encodeRequesterAcknowledge())
    await other.peer.write(encodeContactCard(cardOf(AccountKeys.create(), 'Carol')))
    expect(await codeOf(second)).toBe(GroupsErrorCode.HANDSHAKE_FAILED)
  })

  it('refuses to send our card when it names another account', async () => {
    const alice = AccountKeys.create()
    const [outbound] = await streamPair()
    const sent = sendContactRequestOn(outbound, {
      keys: alice,
      responderAccountId: AccountKeys.create().accountId,
      ownCard: cardOf(AccountKeys.create()),
    })
    expect(await codeOf(sent)).toBe(GroupsErrorCode.INVALID_CONTACT_CARD)
  })

  it(`reads frames of ${MAX_CONTACT_REQUEST_FRAME_BYTES} bytes and refuses one byte more`, async () => {
    const bob = AccountKeys.create()
    const atLimit = await framedPair()
    const first = answer(bob, atLimit.inbound)
    await atLimit.peer.write(new Uint8Array(MAX_CONTACT_REQUEST_FRAME_BYTES))
    // Framing accepts it; the bytes are then no Hello.
    expect(await codeOf(first)).toBe(GroupsErrorCode.MALFORMED_MESSAGE)

    const over = await framedPair()
    const second = answer(bob, over.inbound)
    await over.peer.write(new Uint8Array(MAX_CONTACT_REQUEST_FRAME_BYTES + 1))
    expect(await codeOf(second)).toBe(ContactsErrorCode.FRAME_TOO_LARGE)

    // A length prefix longer than any allowed length is refused before its bytes arrive.
    const prefix = await framedPair()
    const third = answer(bob, prefix.inbound)
    prefix.peer.raw(Uint8Array.of(0xff, 0xff, 0xff, 0x7f))
    expect(await codeOf(third)).toBe(ContactsErrorCode.FRAME_TOO_LARGE)
  })

  it('refuses to write a card frame over the limit', async () => {
    const alice = AccountKeys.create()
    const bob = AccountKeys.create()
    const [outbound, inbound] = await streamPair()
    const answered = answer(bob, inbound)
    const sent = sendContactRequestOn(outbound, {
      keys: alice,
      responderAccountId: bob.accountId,
      ownCard: { ...cardOf(alice), metadata: new Uint8Array(MAX_CONTACT_REQUEST_FRAME_BYTES) },
    })
    expect(await codeOf(sent)).toBe(GroupsErrorCode.MESSAGE_TOO_LARGE)
    expect(await codeOf(answered)).not.toBe('resolved')
  })

  it('ends a stalled handshake with TIMEOUT', async () => {
    const bob = AccountKeys.create()
    const stalled = await framedPair()
    const answered = answerContactRequestOn(stalled.inbound, { keys: bob, admit: () => {}, timeoutMs: 100 })
    await stalled.peer.write(encodeHello(x25519KeyPair().publicKey))
    expect(await codeOf(answered)).toBe(ContactsErrorCode.TIMEOUT)
  })

  it('ends with a typed error on any sequence of frames (fuzz)', async () => {
    const bob = AccountKeys.create()
    const frame = fc.uint8Array({ maxLength: 300 })
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 4 }), async (frames) => {
        const { inbound, outbound, peer } = await framedPair()
        const answered = answerContactRequestOn(inbound, { keys: bob, admit: () => {}, timeoutMs: 2_000 })
        for (const bytes of frames) await peer.write(bytes).catch(() => undefined)
        await outbound.close().catch(() => undefined)
        try {
          await answered
          return false
        } catch (error) {
          return isWeshError(error)
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('ends with a typed error on arbitrary raw bytes (fuzz of the frame decoder)', async () => {
    const bob = AccountKeys.create()
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4_200 }), async (bytes) => {
        const { inbound, outbound, peer } = await framedPair()
        const answered = answerContactRequestOn(inbound, { keys: bob, admit: () => {}, timeoutMs: 2_000 })
        peer.raw(bytes)
        await outbound.close().catch(() => undefined)
        try {
          await answered
          return false
        } catch (error) {
          return isWeshError(error)
        }
      }),
      { numRuns: RUNS },
    )
  })
})
