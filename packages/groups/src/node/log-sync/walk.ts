import type { EventsPayload, LogEntry } from '@orbitdb/core'
import { base58btc } from 'multiformats/bases/base58'
import type { CID } from 'multiformats/cid'

/** What a walk reads: the entry blocks this node holds, decoded as OrbitDB does. */
export interface WalkSource {
  /** The block's bytes, from this node only; undefined when it does not hold it. */
  getBlock(hash: string): Promise<Uint8Array | undefined>
  decode(hash: string, bytes: Uint8Array): Promise<LogEntry<EventsPayload>>
}

export interface WalkStep {
  readonly hash: string
  readonly bytes: Uint8Array
}

/** Why a walk stopped. */
export type WalkEnd = 'COMPLETE' | 'LIMIT_REACHED' | 'NOT_FOUND'

interface Node {
  readonly hash: string
  readonly entry: LogEntry<EventsPayload>
  readonly bytes: Uint8Array
}

/**
 * The entries behind `wants` that the requester lacks, newest first: a walk down the `next` links in
 * decreasing (clock time, clock id) — OrbitDB's own order — where everything reachable from `haves` is common
 * and not sent. Lamport clocks make a parent always older than its children, so when an entry comes out of the
 * queue every child that could mark it common has already been seen: the walk sends exactly the entries that
 * are ancestors of a want and not of a have (that this node holds), each once, and each after an entry that
 * links to it — which is what lets the requester check that every block was asked for.
 */
export async function* walkMissing(
  source: WalkSource,
  request: { want: readonly CID[]; have: readonly CID[]; limit: number },
): AsyncGenerator<WalkStep, WalkEnd> {
  const queue = new MaxQueue()
  const state = new Map<string, 'missing' | 'common'>()
  let missing = 0
  const push = async (hash: string, as: 'missing' | 'common') => {
    const seen = state.get(hash)
    if (seen === 'common') return
    if (seen === 'missing') {
      if (as === 'common') {
        state.set(hash, 'common')
        missing--
      }
      return
    }
    const bytes = await source.getBlock(hash)
    if (bytes === undefined) return // not held here: it stays on the requester's frontier
    state.set(hash, as)
    if (as === 'missing') missing++
    queue.push({ hash, bytes, entry: await source.decode(hash, bytes) })
  }
  for (const cid of request.have) await push(cid.toString(base58btc), 'common')
  for (const cid of request.want) await push(cid.toString(base58btc), 'missing')
  if (missing === 0 && request.want.every((cid) => !state.has(cid.toString(base58btc)))) return 'NOT_FOUND'
  let sent = 0
  while (missing > 0) {
    const node = queue.pop() as Node
    if (state.get(node.hash) === 'common') {
      for (const parent of node.entry.next) await push(parent, 'common')
      continue
    }
    if (request.limit > 0 && sent >= request.limit) return 'LIMIT_REACHED'
    missing--
    sent++
    yield { hash: node.hash, bytes: node.bytes }
    for (const parent of node.entry.next) await push(parent, 'missing')
  }
  return 'COMPLETE'
}

/** OrbitDB's LastWriteWins order: clock time, then clock id; the hash breaks what remains. */
function before(a: Node, b: Node): boolean {
  const ca = a.entry.clock
  const cb = b.entry.clock
  if (ca.time !== cb.time) return ca.time < cb.time
  if (ca.id !== cb.id) return ca.id < cb.id
  return a.hash < b.hash
}

/** A binary heap that pops the newest entry first. */
class MaxQueue {
  readonly #items: Node[] = []

  push(node: Node): void {
    const items = this.#items
    items.push(node)
    let at = items.length - 1
    while (at > 0) {
      const up = (at - 1) >> 1
      if (!before(items[up] as Node, node)) break
      items[at] = items[up] as Node
      at = up
    }
    items[at] = node
  }

  pop(): Node | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) return top
    let at = 0
    for (;;) {
      const left = 2 * at + 1
      if (left >= items.length) break
      const right = left + 1
      const child = right < items.length && before(items[left] as Node, items[right] as Node) ? right : left
      if (!before(last, items[child] as Node)) break
      items[at] = items[child] as Node
      at = child
    }
    items[at] = last
    return top
  }
}
