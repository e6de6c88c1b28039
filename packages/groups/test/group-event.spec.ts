import { ed25519KeyPair, isWeshError, randomBytes, seal, utf8ToBytes } from '@wesh/crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  AccountKeys,
  EVENT_PAYLOAD_MESSAGES,
  EventType,
  GroupType,
  accountGroup,
  contactGroup,
  createMultiMemberGroup,
  encodeWire,
  memberDeviceAdded,
  openGroupEvent,
  sealGroupEvent,
} from '../src/index.js'
import { FUZZ_RUNS, expectCode } from './helpers.js'

describe('metadata events', () => {
  const { group, groupSeed } = createMultiMemberGroup()
  const device = ed25519KeyPair()
  const member = ed25519KeyPair()

  it('carry a device-signed event and name its signer', () => {
    const envelope = sealGroupEvent({
      group,
      event: { eventType: EventType.GROUP_METADATA_PAYLOAD_SENT, payload: { message: utf8ToBytes('hi') } },
      signingKey: device.seed,
    })
    const event = openGroupEvent(group, envelope)
    expect(event.eventType).toBe(1001)
    if (event.eventType !== 1001) return
    expect(event.payload.devicePk).toEqual(device.publicKey)
    expect(new TextDecoder().decode(event.payload.message)).toBe('hi')
    expect(event.signerPk).toEqual(device.publicKey)
    expect(event.nonce).toHaveLength(24)
  })

  it('carry the initial member announcement signed by the group key', () => {
    const envelope = sealGroupEvent({
      group,
      event: {
        eventType: EventType.MULTI_MEMBER_GROUP_INITIAL_MEMBER_ANNOUNCED,
        payload: { memberPk: member.publicKey },
      },
      signingKey: groupSeed,
    })
    expect(openGroupEvent(group, envelope).signerPk).toEqual(group.publicKey)
    const byDevice = sealGroupEvent({
      group,
      event: {
        eventType: EventType.MULTI_MEMBER_GROUP_INITIAL_MEMBER_ANNOUNCED,
        payload: { memberPk: member.publicKey },
      },
      signingKey: device.seed,
    })
    expectCode(() => openGroupEvent(group, byDevice), 'INVALID_SIGNATURE')
  })

  it('bind a device to its member (event 1) and reject a device claiming another member', () => {
    const ok = sealGroupEvent({
      group,
      event: {
        eventType: EventType.GROUP_MEMBER_DEVICE_ADDED,
        payload: memberDeviceAdded(member.seed, device.publicKey),
      },
      signingKey: device.seed,
    })
    expect(openGroupEvent(group, ok).eventType).toBe(1)
    const victim = ed25519KeyPair()
    const claim = { ...memberDeviceAdded(member.seed, device.publicKey), memberPk: victim.publicKey }
    const forged = sealGroupEvent({
      group,
      event: { eventType: EventType.GROUP_MEMBER_DEVICE_ADDED, payload: claim },
      signingKey: device.seed,
    })
    expectCode(() => openGroupEvent(group, forged), 'INVALID_SIGNATURE')
  })

  it('reject a payload whose device_pk is not the signer', () => {
    const metadata = encodeWire('GroupMetadata', {
      eventType: 1001,
      payload: encodeWire('GroupMetadataPayloadSent', {
        devicePk: ed25519KeyPair().publicKey,
        message: utf8ToBytes('x'),
      }),
      sig: new Uint8Array(64).fill(1),
    })
    const nonce = randomBytes(24)
    const envelope = encodeWire('GroupEnvelope', { nonce, event: seal(group.secret, nonce, metadata) })
    expectCode(() => openGroupEvent(group, envelope), 'INVALID_SIGNATURE')
    expectCode(
      () =>
        sealGroupEvent({
          group,
          event: { eventType: 1001, payload: { devicePk: ed25519KeyPair().publicKey } },
          signingKey: device.seed,
        }),
      'INVALID_ARGUMENT',
    )
  })

  it('reject event types the protocol does not list', () => {
    for (const eventType of [0, 3, 113, 301, 401, 500, 1002]) {
      const metadata = encodeWire('GroupMetadata', { eventType, payload: new Uint8Array(0) })
      const nonce = randomBytes(24)
      const envelope = encodeWire('GroupEnvelope', { nonce, event: seal(group.secret, nonce, metadata) })
      expectCode(() => openGroupEvent(group, envelope), 'UNKNOWN_EVENT_TYPE')
    }
  })

  it('allow account-only events (101–112) in the account group alone', () => {
    const account = AccountKeys.create()
    const keys = { accountSeed: account.accountSeed(), aliasSeed: account.aliasSeed() }
    const own = accountGroup(keys).group
    const contact = contactGroup(account.accountSeed(), AccountKeys.create().accountId).group
    for (let eventType = 101; eventType <= 112; eventType++) {
      const event = {
        eventType,
        payload: { groupPk: member.publicKey, contactPk: member.publicKey },
      } as Parameters<typeof sealGroupEvent>[0]['event']
      expect(
        openGroupEvent(own, sealGroupEvent({ group: own, event, signingKey: device.seed })).eventType,
      ).toBe(eventType)
      for (const other of [group, contact]) {
        expectCode(
          () => sealGroupEvent({ group: other, event, signingKey: device.seed }),
          'EVENT_NOT_ALLOWED',
        )
        const metadata = encodeWire('GroupMetadata', {
          eventType,
          payload: encodeWire('AccountContactRequestDisabled', { devicePk: device.publicKey }),
        })
        const nonce = randomBytes(24)
        const envelope = encodeWire('GroupEnvelope', { nonce, event: seal(other.secret, nonce, metadata) })
        expectCode(() => openGroupEvent(other, envelope), 'EVENT_NOT_ALLOWED')
      }
    }
    expect(own.groupType).toBe(GroupType.ACCOUNT)
  })

  it('reject an event sealed for another group', () => {
    const envelope = sealGroupEvent({
      group,
      event: { eventType: 1001, payload: {} },
      signingKey: device.seed,
    })
    expectCode(() => openGroupEvent(createMultiMemberGroup().group, envelope), 'DECRYPTION_FAILED')
  })

  it('reject key fields of the wrong length', () => {
    const envelope = sealGroupEvent({
      group,
      event: {
        eventType: EventType.MULTI_MEMBER_GROUP_ADMIN_ROLE_GRANTED,
        payload: { granteeMemberPk: new Uint8Array(31) },
      },
      signingKey: device.seed,
    })
    expectCode(() => openGroupEvent(group, envelope), 'MALFORMED_MESSAGE')
  })

  it('list a payload message for every event type', () => {
    expect(
      Object.keys(EVENT_PAYLOAD_MESSAGES)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(Object.values(EventType).sort((a, b) => a - b))
  })

  it('never throw anything but a WeshError on mutated or random envelopes', () => {
    const envelope = sealGroupEvent({
      group,
      event: { eventType: 1001, payload: { message: utf8ToBytes('m') } },
      signingKey: device.seed,
    })
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.tuple(fc.nat(envelope.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
            const copy = new Uint8Array(envelope)
            copy[i] = (copy[i] ?? 0) ^ x
            return copy
          }),
        ),
        (bytes) => {
          try {
            openGroupEvent(group, bytes)
          } catch (error) {
            if (!isWeshError(error)) throw error
          }
        },
      ),
      { numRuns: FUZZ_RUNS },
    )
  })

  it('never throw anything but a WeshError on random authenticated metadata', () => {
    // What a member could write: any bytes as GroupMetadata, sealed with the real secret.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (metadata) => {
        const nonce = randomBytes(24)
        try {
          openGroupEvent(
            group,
            encodeWire('GroupEnvelope', { nonce, event: seal(group.secret, nonce, metadata) }),
          )
        } catch (error) {
          if (!isWeshError(error)) throw error
        }
      }),
      { numRuns: FUZZ_RUNS },
    )
  })
})
