import { fromHex, toHex } from '@wesh/crypto'
import { ClassicLevel } from 'classic-level'

/** An account this node serves as its replication device (PROTOCOL.md §8), as persisted. */
export interface LinkedAccountRecord {
  /** The account ID (= the account group's ID). */
  readonly accountId: Uint8Array
  /** SHA-256 of the token the account's devices use; the token itself is never stored. */
  readonly tokenHash: Uint8Array
  readonly maxGroups: number
  readonly maxBytes: number
  /** Unix milliseconds of the link. */
  readonly linkedAt: number
}

/** Owner name of a linked account's groups; `@` keeps it apart from token names, which cannot contain one. */
export function linkedAccountOwner(accountId: Uint8Array): string {
  return `@account:${toHex(accountId)}`
}

interface StoredLinkV1 {
  v: 1
  accountId: string
  tokenSha256: string
  maxGroups: number
  maxBytes: number
  linkedAt: number
}

/** The linked accounts in LevelDB, keyed by hex account ID; values are versioned JSON, unreadable ones skipped. */
export class LinkedAccountStore {
  readonly #db: ClassicLevel

  private constructor(db: ClassicLevel) {
    this.#db = db
  }

  static async open(path: string): Promise<LinkedAccountStore> {
    const db = new ClassicLevel<string, string>(path, { valueEncoding: 'utf8' })
    await db.open()
    return new LinkedAccountStore(db)
  }

  async put(record: LinkedAccountRecord): Promise<void> {
    const stored: StoredLinkV1 = {
      v: 1,
      accountId: toHex(record.accountId),
      tokenSha256: toHex(record.tokenHash),
      maxGroups: record.maxGroups,
      maxBytes: record.maxBytes,
      linkedAt: record.linkedAt,
    }
    await this.#db.put(stored.accountId, JSON.stringify(stored))
  }

  async delete(accountId: Uint8Array): Promise<void> {
    await this.#db.del(toHex(accountId))
  }

  /** Every record, and the keys of those that could not be read. */
  async all(): Promise<{ records: LinkedAccountRecord[]; unreadable: string[] }> {
    const records: LinkedAccountRecord[] = []
    const unreadable: string[] = []
    for await (const [key, value] of this.#db.iterator()) {
      const record = parseLink(value)
      if (record === undefined) unreadable.push(key)
      else records.push(record)
    }
    return { records, unreadable }
  }

  async close(): Promise<void> {
    await this.#db.close()
  }
}

function parseLink(value: string): LinkedAccountRecord | undefined {
  try {
    const stored = JSON.parse(value) as Partial<StoredLinkV1>
    const counts = [stored.maxGroups, stored.maxBytes, stored.linkedAt]
    if (stored.v !== 1 || !counts.every((n) => Number.isSafeInteger(n) && (n as number) >= 0))
      return undefined
    const accountId = fromHex(String(stored.accountId))
    const tokenHash = fromHex(String(stored.tokenSha256))
    if (accountId.byteLength !== 32 || tokenHash.byteLength !== 32) return undefined
    return {
      accountId,
      tokenHash,
      maxGroups: stored.maxGroups as number,
      maxBytes: stored.maxBytes as number,
      linkedAt: stored.linkedAt as number,
    }
  } catch {
    return undefined // corrupt JSON or hex: reported by the caller as unreadable
  }
}
