import { verifyEntry } from '../entry.js'
import { openGroupEvent, type OpenedGroupEvent } from '../group-event.js'
import { GroupFold, type FoldOptions, type GroupState } from '../group-state.js'
import type { Group } from '../group.js'

/** One entry of the metadata log as OrbitDB's `all()` gives it, oldest first. */
export interface MetadataEntry {
  readonly hash: string
  readonly value: unknown
}

/**
 * Reads the metadata log into a {@link GroupState}, verifying and opening each entry once. While a group forms,
 * every member writes several events and each one is a log update; refolding the whole log from its signatures on
 * each update made forming a group of M members cost O(M³) signature checks. Entries appended after the ones
 * already folded are applied to the running fold; only a merge that puts entries earlier in the order refolds,
 * from the events already opened.
 */
export class MetadataReader {
  readonly #group: Group
  readonly #options: FoldOptions
  readonly #onRejected: (error: unknown) => void
  /** Entry hash → its opened event, or null when it did not verify or open. */
  readonly #opened = new Map<string, OpenedGroupEvent | null>()
  #fold: GroupFold
  /** Hashes of the entries folded so far, in the order folded. */
  #folded: string[] = []

  constructor(group: Group, ownMemberSeed: Uint8Array | undefined, onRejected: (error: unknown) => void) {
    this.#group = group
    this.#options = { group, ...(ownMemberSeed === undefined ? {} : { ownMemberSeed }) }
    this.#onRejected = onRejected
    this.#fold = new GroupFold(this.#options)
  }

  /** The state after `entries`, the whole log in its converged order (oldest first). */
  read(entries: readonly MetadataEntry[]): GroupState {
    if (!this.#extends(entries)) {
      this.#fold = new GroupFold(this.#options)
      this.#folded = []
    }
    for (const entry of entries.slice(this.#folded.length)) {
      const event = this.#open(entry)
      if (event) this.#fold.apply(event)
      this.#folded.push(entry.hash)
    }
    return this.#fold.state()
  }

  /** Whether `entries` begin with every entry folded so far, in the same order. */
  #extends(entries: readonly MetadataEntry[]): boolean {
    if (entries.length < this.#folded.length) return false
    return this.#folded.every((hash, i) => entries[i]?.hash === hash)
  }

  #open(entry: MetadataEntry): OpenedGroupEvent | null {
    let event = this.#opened.get(entry.hash)
    if (event !== undefined) return event
    try {
      event = openGroupEvent(this.#group, verifyEntry(this.#group.signPublicKey, entry.value as Uint8Array))
    } catch (error) {
      this.#onRejected(error)
      event = null
    }
    this.#opened.set(entry.hash, event)
    return event
  }
}
