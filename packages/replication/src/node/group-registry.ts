import { fromHex, toHex } from '@wesh/crypto'
import { isGroupType } from '@wesh/groups'
import { ClassicLevel } from 'classic-level'
import { checkReplicationGroup, type ReplicationGroup } from '../replication-group.js'

/** One replicated group as persisted: the public part of the group and who asked for it. */
export interface GroupRecord {
  readonly group: ReplicationGroup
  /** Token names (or {@link LOCAL_OWNER}) that keep the group replicated. */
  readonly owners: readonly string[]
  /** Unix milliseconds of the first request. */
  readonly addedAt: number
}

/** Owner of groups added through the node's own API (an operator, or the account group of a replication device). */
export const LOCAL_OWNER = '@local'

interface StoredRecordV1 {
  v: 1
  groupType: number
  groupId: string
  signPub: string
  linkKey: string
  linkKeySig: string
  owners: string[]
  addedAt: number
}

/**
 * The list of replicated groups in LevelDB, so that a restarted node reopens them. Values are versioned JSON
 * (`{ v: 1, … }`); a record that does not parse is reported and skipped, never fatal.
 */
export class GroupRegistry {
  readonly #db: ClassicLevel

  private constructor(db: ClassicLevel) {
    this.#db = db
  }

  static async open(path: string): Promise<GroupRegistry> {
    const db = new ClassicLevel<string, string>(path, { valueEncoding: 'utf8' })
    await db.open()
    return new GroupRegistry(db)
  }

  async put(record: GroupRecord): Promise<void> {
    const { group } = record
    const stored: StoredRecordV1 = {
      v: 1,
      groupType: group.groupType,
      groupId: toHex(group.publicKey),
      signPub: toHex(group.signPublicKey),
      linkKey: toHex(group.linkKey),
      linkKeySig: toHex(group.linkKeySig),
      owners: [...record.owners],
      addedAt: record.addedAt,
    }
    await this.#db.put(stored.groupId, JSON.stringify(stored))
  }

  async delete(groupId: Uint8Array): Promise<void> {
    await this.#db.del(toHex(groupId))
  }

  /** Every record, and the keys of those that could not be read. */
  async all(): Promise<{ records: GroupRecord[]; unreadable: string[] }> {
    const records: GroupRecord[] = []
    const unreadable: string[] = []
    for await (const [key, value] of this.#db.iterator()) {
      const record = parseRecord(value)
      if (record === undefined) unreadable.push(key)
      else records.push(record)
    }
    return { records, unreadable }
  }

  async close(): Promise<void> {
    await this.#db.close()
  }
}

function parseRecord(value: string): GroupRecord | undefined {
  try {
    const stored = JSON.parse(value) as Partial<StoredRecordV1>
    if (stored.v !== 1 || !isGroupType(stored.groupType)) return undefined
    if (!Array.isArray(stored.owners) || !stored.owners.every((owner) => typeof owner === 'string'))
      return undefined
    if (typeof stored.addedAt !== 'number') return undefined
    return {
      // Checked again, signature included: the file may have been edited or damaged.
      group: checkReplicationGroup({
        groupType: stored.groupType,
        publicKey: fromHex(String(stored.groupId)),
        signPublicKey: fromHex(String(stored.signPub)),
        linkKey: fromHex(String(stored.linkKey)),
        linkKeySig: fromHex(String(stored.linkKeySig)),
      }),
      owners: stored.owners,
      addedAt: stored.addedAt,
    }
  } catch {
    return undefined // corrupt JSON, hex or group: reported by the caller as unreadable
  }
}
