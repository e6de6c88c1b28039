import type { Stream } from '@libp2p/interface'
import { constantTimeEqual, erase, x25519KeyPair } from '@wesh/crypto'
import {
  type AccountKeys,
  type ContactCard,
  GroupsErrorCode,
  decodeHello,
  decodeRequesterAcknowledge,
  encodeContactCard,
  encodeHello,
  encodeRequesterAcknowledge,
  openRequesterAuthenticate,
  openResponderAccept,
  parseContactCard,
  requesterHandshakeKeys,
  responderAuthenticateKey,
  responderHandshakeKeys,
  sealRequesterAuthenticate,
  sealResponderAccept,
} from '@wesh/groups'
import { WeshError } from '@wesh/crypto'
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, MAX_CONTACT_REQUEST_FRAME_BYTES } from './constants.js'
import { FrameStream } from './frame-stream.js'

// PROTOCOL.md §6.1, the reference's `/wesh/contact_req/1.0.0` (weshnet's internal/handshake plus the
// ShareableContact the requester writes after it), byte for byte:
//   1. A → B Hello{a}   2. B → A Hello{b}   3. A → B BoxEnvelope(RequesterAuthenticate)
//   4. B → A BoxEnvelope(ResponderAccept)   5. A → B RequesterAcknowledge{true}, then A → B ShareableContact.
// The constructions are @wesh/groups' (pinned by independent vectors); this file runs them over a stream.

export interface HandshakeOptions {
  /** Time allowed for the whole exchange. Default {@link DEFAULT_HANDSHAKE_TIMEOUT_MS}. */
  timeoutMs?: number
  signal?: AbortSignal
}

/**
 * The requester's side on an open `/wesh/contact_req/1.0.0` stream: authenticates both accounts, sends
 * `ownCard` (its `accountId` must be ours), then waits for the responder to close its side — a responder that
 * refuses (blocked, not taking requests) resets the stream instead. Throws a typed `WeshError` and resets the
 * stream on any failure; closes it on success.
 */
export async function sendContactRequestOn(
  stream: Stream,
  args: { keys: AccountKeys; responderAccountId: Uint8Array; ownCard: ContactCard } & HandshakeOptions,
): Promise<void> {
  const { keys, responderAccountId, ownCard } = args
  const frames = frameStream(stream, args)
  const ephemeral = x25519KeyPair()
  const accountSeed = keys.accountSeed()
  try {
    if (!constantTimeEqual(ownCard.accountId, keys.accountId)) {
      throw new WeshError(GroupsErrorCode.INVALID_CONTACT_CARD, 'ownCard must carry our own account ID')
    }
    // Encoded first: a card too large for its frame fails before anything is sent.
    const card = encodeContactCard(ownCard)
    await frames.write(encodeHello(ephemeral.publicKey))
    const peerEphemeral = decodeHello(await frames.read())
    const handshake = requesterHandshakeKeys({
      accountSeed,
      ephemeralSecret: ephemeral.secretKey,
      peerEphemeralPub: peerEphemeral,
      peerAccountId: responderAccountId,
    })
    try {
      await frames.write(
        sealRequesterAuthenticate({ keys: handshake, accountSeed, accountId: keys.accountId }),
      )
      openResponderAccept({ keys: handshake, peerAccountId: responderAccountId, frame: await frames.read() })
    } finally {
      erase(handshake.ab, handshake.requesterBoxKey, handshake.responderBoxKey)
    }
    await frames.write(encodeRequesterAcknowledge())
    await frames.write(card)
    await frames.close()
    await frames.expectEnd()
  } catch (error) {
    frames.abort(error)
    throw error
  } finally {
    erase(ephemeral.secretKey, accountSeed)
  }
}

/**
 * The responder's side on an incoming `/wesh/contact_req/1.0.0` stream. `admit(requesterAccountId)` runs as
 * soon as the requester is authenticated (step 3) and throws to refuse (`CONTACT_BLOCKED`…): the stream is then
 * reset before we sign anything. Resolves with the requester's card once its `pk` is checked against the
 * authenticated account; the caller records it and then calls `close()`. On failure the stream is reset.
 */
export async function answerContactRequestOn(
  stream: Stream,
  args: { keys: AccountKeys; admit: (requesterAccountId: Uint8Array) => void } & HandshakeOptions,
): Promise<{ card: ContactCard; close: () => Promise<void>; refuse: (error: unknown) => void }> {
  const { keys, admit } = args
  const frames = frameStream(stream, args)
  const ephemeral = x25519KeyPair()
  const accountSeed = keys.accountSeed()
  try {
    const peerEphemeral = decodeHello(await frames.read())
    await frames.write(encodeHello(ephemeral.publicKey))
    const early = responderAuthenticateKey({
      accountSeed,
      ephemeralSecret: ephemeral.secretKey,
      peerEphemeralPub: peerEphemeral,
    })
    let requester: Uint8Array
    try {
      requester = openRequesterAuthenticate({ keys: early, frame: await frames.read() })
    } finally {
      erase(early.ab, early.requesterBoxKey)
    }
    admit(requester)
    const handshake = responderHandshakeKeys({
      accountSeed,
      ephemeralSecret: ephemeral.secretKey,
      peerEphemeralPub: peerEphemeral,
      peerAccountId: requester,
    })
    try {
      await frames.write(sealResponderAccept({ keys: handshake, accountSeed }))
    } finally {
      erase(handshake.ab, handshake.requesterBoxKey, handshake.responderBoxKey)
    }
    decodeRequesterAcknowledge(await frames.read())
    const card = parseContactCard(await frames.read())
    if (!constantTimeEqual(card.accountId, requester)) {
      throw new WeshError(GroupsErrorCode.HANDSHAKE_FAILED, 'the card is not the authenticated requester’s', {
        data: { reason: 'card account mismatch' },
      })
    }
    return {
      card,
      close: () => frames.close(),
      refuse: (error) => {
        frames.abort(error)
      },
    }
  } catch (error) {
    frames.abort(error)
    throw error
  } finally {
    erase(ephemeral.secretKey, accountSeed)
  }
}

function frameStream(stream: Stream, options: HandshakeOptions): FrameStream {
  return new FrameStream(stream, {
    maxFrameBytes: MAX_CONTACT_REQUEST_FRAME_BYTES,
    timeoutMs: options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    ...(options.signal ? { signal: options.signal } : {}),
  })
}
