import { ed25519KeyPair, isWeshError, randomBytes } from '@wesh/crypto'
import { MAX_COUNTER } from '@wesh/ratchet'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createMultiMemberGroup, openDeviceChainKey, sealDeviceChainKey } from '../src/index.js'
import { FUZZ_RUNS, expectCode } from './helpers.js'

describe('chain-key boxes', () => {
  const groupId = createMultiMemberGroup().group.publicKey
  const device = ed25519KeyPair()
  const member = ed25519KeyPair()
  const chainKey = randomBytes(32)
  const sealed = (counter = 5) =>
    sealDeviceChainKey({
      senderDeviceSeed: device.seed,
      recipientMemberId: member.publicKey,
      groupId,
      chainKey,
      counter,
    })

  it('carry a chain from a device to a member', () => {
    expect(
      openDeviceChainKey({
        recipientMemberSeed: member.seed,
        senderDeviceId: device.publicKey,
        groupId,
        box: sealed(),
      }),
    ).toEqual({
      chainKey,
      counter: 5,
    })
  })

  it(`carry counters up to MAX_COUNTER and refuse one more`, () => {
    const box = sealed(MAX_COUNTER)
    expect(
      openDeviceChainKey({ recipientMemberSeed: member.seed, senderDeviceId: device.publicKey, groupId, box })
        .counter,
    ).toBe(MAX_COUNTER)
    expectCode(() => sealed(MAX_COUNTER + 1), 'INVALID_ARGUMENT')
  })

  it('open for nobody else, from nobody else, in no other group', () => {
    const box = sealed()
    const other = ed25519KeyPair()
    expectCode(
      () =>
        openDeviceChainKey({
          recipientMemberSeed: other.seed,
          senderDeviceId: device.publicKey,
          groupId,
          box,
        }),
      'DECRYPTION_FAILED',
    )
    expectCode(
      () =>
        openDeviceChainKey({
          recipientMemberSeed: member.seed,
          senderDeviceId: other.publicKey,
          groupId,
          box,
        }),
      'DECRYPTION_FAILED',
    )
    const otherGroup = createMultiMemberGroup().group.publicKey
    expectCode(
      () =>
        openDeviceChainKey({
          recipientMemberSeed: member.seed,
          senderDeviceId: device.publicKey,
          groupId: otherGroup,
          box,
        }),
      'DECRYPTION_FAILED',
    )
  })

  it('validate argument lengths', () => {
    expectCode(
      () =>
        sealDeviceChainKey({
          senderDeviceSeed: device.seed,
          recipientMemberId: member.publicKey,
          groupId,
          chainKey: new Uint8Array(31),
          counter: 0,
        }),
      'INVALID_LENGTH',
    )
  })

  it('never throw anything but a WeshError on random boxes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (box) => {
        try {
          openDeviceChainKey({
            recipientMemberSeed: member.seed,
            senderDeviceId: device.publicKey,
            groupId,
            box,
          })
        } catch (error) {
          if (!isWeshError(error)) throw error
        }
      }),
      { numRuns: FUZZ_RUNS },
    )
  })
})
