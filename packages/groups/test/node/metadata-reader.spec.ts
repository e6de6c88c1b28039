import { ed25519KeyPair, randomBytes, utf8ToBytes } from '@wesh/crypto'
import { describe, expect, it } from 'vitest'
import {
  EventType,
  createMultiMemberGroup,
  foldGroupEvents,
  memberDeviceAdded,
  openGroupEvent,
  sealGroupEvent,
  signEntry,
  verifyEntry,
} from '../../src/index.js'
import { MetadataReader, type MetadataEntry } from '../../src/node/metadata-reader.js'

const { group } = createMultiMemberGroup()
let hashes = 0

/** A metadata entry as a member writes it: a device added for a fresh member, signed for the log. */
function deviceAdded(): MetadataEntry {
  const member = ed25519KeyPair()
  const device = ed25519KeyPair()
  const envelope = sealGroupEvent({
    group,
    event: {
      eventType: EventType.GROUP_MEMBER_DEVICE_ADDED,
      payload: memberDeviceAdded(member.seed, device.publicKey),
    },
    signingKey: device.seed,
  })
  return { hash: `entry-${++hashes}`, value: signEntry(group.secret, envelope) }
}

/** The state a full fold of `entries` gives: what the reader must match. */
function folded(entries: readonly MetadataEntry[]) {
  const events = entries.flatMap(({ value }) => {
    try {
      return [openGroupEvent(group, verifyEntry(group.signPublicKey, value as Uint8Array))]
    } catch {
      return []
    }
  })
  return foldGroupEvents(events, { group })
}

describe('MetadataReader', () => {
  it('gives the state of a full fold, whether entries are appended after the folded ones or merged before them', () => {
    const reader = new MetadataReader(group, undefined, () => undefined)
    const [a, b, c, d] = [deviceAdded(), deviceAdded(), deviceAdded(), deviceAdded()]
    expect(reader.read([a, b])).toEqual(folded([a, b]))
    expect(reader.read([a, b, c])).toEqual(folded([a, b, c]))
    // A merge puts d before c: the reader folds again from the start.
    const merged = [a, b, d, c]
    expect(reader.read(merged)).toEqual(folded(merged))
    expect([...reader.read(merged).deviceMembers.keys()]).toEqual([...folded(merged).deviceMembers.keys()])
  })

  it('verifies and opens each entry once, and reports a bad one once', () => {
    const rejected: unknown[] = []
    const reader = new MetadataReader(group, undefined, (error) => rejected.push(error))
    const forged = { hash: 'forged', value: signEntry(randomBytes(32), utf8ToBytes('not an event')) }
    const good = deviceAdded()
    reader.read([forged])
    reader.read([forged, good])
    const state = reader.read([good, forged]) // reordered: refolded from the cache
    expect(rejected).toHaveLength(1)
    expect(state.members.size).toBe(1)
  })
})
