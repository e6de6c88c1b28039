import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { isWeshError, randomBytes, utf8ToBytes } from '@wesh/crypto'
import { GroupsErrorCode } from '@wesh/groups'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ContactsErrorCode,
  LINK_CODE_ID_BYTES,
  MAX_DEVICE_LINK_FRAME_BYTES,
  answerDeviceLinkOn,
  requestDeviceLinkOn,
  type CodeClaim,
  type LinkCode,
} from '../src/index.js'
import { codeOf, framedPair } from './helpers.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 300)
const STATE = utf8ToBytes('{"v":1,"accountSeed":"…"}')

async function peer(): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

function codeFor(existing: PeerId, secret = randomBytes(32)): LinkCode {
  return {
    peerId: existing,
    multiaddrs: [],
    codeId: randomBytes(LINK_CODE_ID_BYTES),
    secret,
    expiresAt: Date.now() + 60_000,
  }
}

/** One open code on the existing side, recording what happened to it. */
function codeBook(code: LinkCode) {
  const log: string[] = []
  const claim = (codeId: Uint8Array): CodeClaim => {
    if (log.includes('spent') || codeId.some((byte, i) => byte !== code.codeId[i])) {
      throw Object.assign(new Error('refused'), { name: 'Refused' })
    }
    log.push('claimed')
    return { secret: code.secret, spend: () => log.push('spent'), fail: () => log.push('failed') }
  }
  return { log, claim }
}

describe('the /wesh/device_link/1.0.0 exchange', () => {
  it('moves the account state to a new device that proves the secret', async () => {
    const existing = await peer()
    const fresh = await peer()
    const code = codeFor(existing)
    const book = codeBook(code)
    const [outbound, inbound] = await streamPair()
    let reads = 0
    const [, state] = await Promise.all([
      answerDeviceLinkOn(inbound, {
        existingPeer: existing,
        newPeer: fresh,
        claim: book.claim,
        accountState: () => {
          reads++
          return new Uint8Array(STATE)
        },
      }),
      requestDeviceLinkOn(outbound, { code, newPeer: fresh }),
    ])
    expect(state).toEqual(STATE)
    expect(reads).toBe(1)
    expect(book.log).toEqual(['claimed', 'spent'])
  })

  it('sends nothing to a device with the wrong secret, and counts the failed try', async () => {
    const existing = await peer()
    const fresh = await peer()
    const code = codeFor(existing)
    const book = codeBook(code)
    const [outbound, inbound] = await streamPair()
    let reads = 0
    const answered = answerDeviceLinkOn(inbound, {
      existingPeer: existing,
      newPeer: fresh,
      claim: book.claim,
      accountState: () => {
        reads++
        return new Uint8Array(STATE)
      },
    })
    const requested = requestDeviceLinkOn(outbound, {
      code: { ...code, secret: randomBytes(32) },
      newPeer: fresh,
    })
    expect(await codeOf(answered)).toBe(ContactsErrorCode.LINK_REFUSED)
    expect(await codeOf(requested)).toBe(ContactsErrorCode.LINK_REFUSED)
    expect(reads).toBe(0)
    expect(book.log).toEqual(['claimed', 'failed'])
  })

  it('binds the proofs to both peer IDs: a relay that forwards the frames under its own ID fails', async () => {
    const existing = await peer()
    const fresh = await peer()
    const relay = await peer()
    const code = codeFor(existing)
    const book = codeBook(code)
    const [outbound, inbound] = await streamPair()
    // The existing device sees the relay's peer ID on its connection, not the new device's.
    const answered = answerDeviceLinkOn(inbound, {
      existingPeer: existing,
      newPeer: relay,
      claim: book.claim,
      accountState: () => new Uint8Array(STATE),
    })
    const requested = requestDeviceLinkOn(outbound, { code, newPeer: fresh })
    expect(await codeOf(answered)).toBe(ContactsErrorCode.LINK_REFUSED)
    expect(await codeOf(requested)).toBe(ContactsErrorCode.LINK_REFUSED)
  })

  it('fails with LINK_PROOF_FAILED when the existing device does not hold the secret', async () => {
    const existing = await peer()
    const fresh = await peer()
    const code = codeFor(existing)
    // An impostor that does not check the new device's proof and answers with a made-up one of its own.
    const lax = await framedPair()
    const laxRequest = requestDeviceLinkOn(lax.inbound, { code, newPeer: fresh })
    await lax.peer.read() // LinkRequest
    await lax.peer.write(Uint8Array.of(0x0a, 32, ...randomBytes(32))) // LinkChallenge
    await lax.peer.read() // LinkProof
    await lax.peer.write(Uint8Array.of(0x0a, 32, ...randomBytes(32), 0x12, 20, ...randomBytes(20))) // LinkAccept
    expect(await codeOf(laxRequest)).toBe(ContactsErrorCode.LINK_PROOF_FAILED)
  })

  it(`reads frames of ${MAX_DEVICE_LINK_FRAME_BYTES} bytes and refuses one byte more`, async () => {
    const existing = await peer()
    const fresh = await peer()
    const book = codeBook(codeFor(existing))
    const run = async (size: number) => {
      const { inbound, peer: remote } = await framedPair()
      const answered = answerDeviceLinkOn(inbound, {
        existingPeer: existing,
        newPeer: fresh,
        claim: book.claim,
        accountState: () => new Uint8Array(STATE),
      })
      await remote.write(new Uint8Array(size))
      return codeOf(answered)
    }
    expect(await run(MAX_DEVICE_LINK_FRAME_BYTES)).toBe(GroupsErrorCode.MALFORMED_MESSAGE)
    expect(await run(MAX_DEVICE_LINK_FRAME_BYTES + 1)).toBe(ContactsErrorCode.FRAME_TOO_LARGE)
  })

  it('ends with a typed error, sending no state, on any sequence of frames (fuzz)', async () => {
    const existing = await peer()
    const fresh = await peer()
    const code = codeFor(existing)
    let reads = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (frames, knownCode) => {
          const { inbound, outbound, peer: remote } = await framedPair()
          const answered = answerDeviceLinkOn(inbound, {
            existingPeer: existing,
            newPeer: fresh,
            claim: () => {
              if (!knownCode) throw Object.assign(new Error('refused'), { name: 'Refused' })
              return { secret: code.secret, spend: () => {}, fail: () => {} }
            },
            accountState: () => {
              reads++
              return new Uint8Array(STATE)
            },
            timeoutMs: 2_000,
          })
          for (const frame of frames) await remote.write(frame).catch(() => undefined)
          await outbound.close().catch(() => undefined)
          try {
            await answered
            return false
          } catch (error) {
            return isWeshError(error) || (error instanceof Error && error.name === 'Refused')
          }
        },
      ),
      { numRuns: RUNS },
    )
    expect(reads).toBe(0)
  })
})
