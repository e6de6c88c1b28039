import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { EventsPayload, LogEntry } from '@orbitdb/core'
import type { WeshError } from '@wesh/crypto'
import { isWeshError } from '@wesh/crypto'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import { varint } from 'multiformats'
import { createHash } from 'node:crypto'
import { FRAME_TIMEOUT_MS, MAX_ENTRY_LINKS, MAX_RESPONSE_BYTES } from './constants.js'
import type { EntryStorage } from './entry-storage.js'
import { LogSyncErrorCode, isPeerMisbehaviour, logSyncError } from './errors.js'
import {
  LogSyncEnd,
  decodeSyncResponse,
  encodeSyncCredit,
  encodeSyncRequest,
  type SyncBlock,
  type SyncResponse,
} from './frames.js'
import type { ShallowIndex } from './shallow-index.js'

/** What a pull checks entries against and stores them in: one log on this node. */
export interface PullTarget {
  readonly address: string
  readonly index: ShallowIndex
  readonly storage: EntryStorage
  /** OrbitDB's decoding of an entry block whose CID is checked, opening the link-key seal. */
  decode(hash: string, bytes: Uint8Array): Promise<LogEntry<EventsPayload>>
  /**
   * The log's access controller; `remember` keeps the verdict for OrbitDB's join of the same entry, which follows
   * a walk for a head (not one for older pages, which OrbitDB does not join).
   */
  canAppend(entry: LogEntry<EventsPayload>, remember: boolean): Promise<boolean>
  /** OrbitDB's check of the writer's signature; `remember` as for {@link canAppend}. */
  verifySignature(entry: LogEntry<EventsPayload>, remember: boolean): Promise<boolean>
}

export interface PullRequest {
  /** Hashes to walk back from. */
  readonly wants: readonly string[]
  /** Hashes whose whole history this node holds: the walk stops there. */
  readonly haves: readonly string[]
  /** At most this many entries; 0 for no limit. */
  readonly limit: number
  /** True to fetch entries on the log's shallow boundary (older pages); false to stop at it. */
  readonly intoBoundary: boolean
  readonly credit: number
  readonly batchBytes: number
  readonly signal: AbortSignal
  /** Called after each batch is stored, with the number of new entries so far. */
  readonly onBatch?: (received: number) => void
}

export interface PullResult {
  /** The responder's end frame, `SATISFIED` when this node stopped the walk having all it lacked. */
  readonly end: LogSyncEnd | 'SATISFIED'
  /** Entries new to this node, stored and checked, newest first. */
  readonly received: readonly string[]
  /** Entries still lacking: linked from what was received (or wanted) and not sent. */
  readonly remaining: ReadonlySet<string>
  /** The walk failed: the peer misbehaved (then nothing it sent was kept) or the walk was cut short. */
  readonly failure?: WeshError
}

/**
 * Runs one walk as the requester on `stream`: sends the request, then checks every block of every batch — its
 * bytes against its CID, that something already received links to it (or it was wanted), that it decodes as an
 * entry of this log under the link key, that the access controller admits it and its writer signature verifies —
 * before storing the batch and granting credit for another. When the peer breaks the protocol or lies, the
 * stream is reset and every block stored during the walk that the log does not hold is deleted. Never throws.
 */
export async function pull(stream: Stream, target: PullTarget, request: PullRequest): Promise<PullResult> {
  const state = new PullState(target, request)
  const lp = lpStream(stream, {
    maxDataLength: MAX_RESPONSE_BYTES,
    maxBufferSize: (request.credit + 2) * MAX_RESPONSE_BYTES,
  })
  // Bytes that arrived and bytes read: what is left over was sent ahead of what was read.
  let arrived = 0
  let read = 0
  const count = (event: { data: { byteLength: number } }) => (arrived += event.data.byteLength)
  stream.addEventListener('message', count)
  const deadline = () => AbortSignal.any([request.signal, AbortSignal.timeout(FRAME_TIMEOUT_MS)])
  try {
    await lp.write(
      encodeSyncRequest({
        log: target.address,
        want: request.wants.map((hash) => CID.parse(hash, base58btc)),
        have: request.haves.map((hash) => CID.parse(hash, base58btc)),
        limit: request.limit,
        credit: request.credit,
        batchBytes: request.batchBytes,
      }),
      { signal: deadline() },
    )
    // Credit comes back a window at a time, once the window's last batch is in: a batch that arrived beyond it
    // by then was sent without credit (the end frame needs none).
    const next = async () => {
      const frame = await lp.read({ signal: deadline() })
      read += varint.encodingLength(frame.byteLength) + frame.byteLength
      return decodeSyncResponse(frame)
    }
    let outstanding = request.credit
    let response = await next()
    for (;;) {
      if (response.kind === 'end') {
        if (response.end === LogSyncEnd.LIMIT_REACHED && request.limit === 0)
          throw logSyncError(LogSyncErrorCode.MALFORMED_FRAME, 'the walk ended at a limit nobody set', {
            data: { frame: 'response', reason: 'limit reached without a limit' },
          })
        await stream.close({ signal: deadline() }).catch(() => undefined)
        return state.result(response.end)
      }
      let ahead: SyncResponse | undefined
      if (--outstanding === 0) {
        if (arrived > read) {
          ahead = await next()
          if (ahead.kind === 'batch')
            throw logSyncError(LogSyncErrorCode.CREDIT_EXCEEDED, 'a batch beyond the credit granted', {
              data: { credit: request.credit },
            })
        } else {
          await lp.write(encodeSyncCredit(request.credit), { signal: deadline() })
          outstanding = request.credit
        }
      }
      await state.take(response.blocks)
      request.onBatch?.(state.received.length)
      if (state.satisfied) {
        stream.abort(new Error('log sync: every entry lacking has arrived'))
        return state.result('SATISFIED')
      }
      response = ahead ?? (await next())
    }
  } catch (error) {
    const failure = typed(error, request.signal)
    stream.abort(failure)
    if (isPeerMisbehaviour(failure)) await state.discard()
    return state.result(undefined, failure)
  } finally {
    stream.removeEventListener('message', count)
  }
}

class PullState {
  readonly received: string[] = []
  readonly #target: PullTarget
  readonly #request: PullRequest
  readonly #expected: Set<string>
  readonly #seen = new Set<string>()
  /** Blocks this walk stored that the node did not hold before: deleted if the peer turns out to lie. */
  readonly #fresh: CID[] = []
  readonly #notedAbsent: string[] = []
  /** Links already parsed as entry hashes: each is linked from about 17 entries. */
  readonly #validLinks = new Set<string>()
  #blocks = 0

  constructor(target: PullTarget, request: PullRequest) {
    this.#target = target
    this.#request = request
    this.#expected = new Set(request.wants)
  }

  get satisfied(): boolean {
    return this.#expected.size === 0
  }

  result(end: LogSyncEnd | 'SATISFIED' | undefined, failure?: WeshError): PullResult {
    const remaining = new Set(this.#expected)
    return failure === undefined
      ? { end: end as LogSyncEnd | 'SATISFIED', received: this.received, remaining }
      : { end: end ?? LogSyncEnd.CONTINUES, received: this.received, remaining, failure }
  }

  /** Checks and stores one batch; throws a misbehaviour code at the first block that fails. */
  async take(blocks: readonly SyncBlock[]): Promise<void> {
    const { batchBytes, limit } = this.#request
    const size = blocks.reduce((sum, block) => sum + block.data.length, 0)
    if (blocks.length > 1 && size > batchBytes)
      throw logSyncError(LogSyncErrorCode.OVERSIZED_BATCH, 'a batch over the size asked for', {
        data: { max: batchBytes, actual: size },
      })
    const toStore: SyncBlock[] = []
    const entries: LogEntry<EventsPayload>[] = []
    for (const block of blocks) {
      if (limit > 0 && ++this.#blocks > limit)
        throw logSyncError(LogSyncErrorCode.LIMIT_EXCEEDED, 'more entries than the limit asked for', {
          data: { limit },
        })
      const entry = await this.#check(block)
      if (entry === undefined) continue
      toStore.push(block)
      entries.push(entry)
    }
    // The signatures of a batch are checked together: the writers' ones run on Node's thread pool meanwhile.
    await Promise.all(entries.map((entry) => this.#authenticate(entry)))
    this.#fresh.push(...(await this.#target.storage.putChecked(toStore)))
    for (const { hash } of entries) this.received.push(hash)
  }

  /** Deletes what the walk stored and the log does not hold: nothing a lying peer sent is kept. */
  async discard(): Promise<void> {
    this.#target.index.forgetAbsent(this.#notedAbsent)
    this.#target.index.forgetAbsent(this.received)
    const stray: CID[] = []
    for (const cid of this.#fresh)
      if (!(await this.#target.index.has(cid.toString(base58btc)))) stray.push(cid)
    await this.#target.storage.deleteBlocks(stray)
    this.received.length = 0
    this.#expected.clear()
    for (const hash of this.#request.wants) this.#expected.add(hash)
  }

  /**
   * The block's entry if it is new, undefined if this node already holds it; throws if it does not match its CID,
   * was not asked for, or is not a well-formed entry of this log. Its signatures are checked by {@link #authenticate}.
   */
  async #check({ cid, data }: SyncBlock): Promise<LogEntry<EventsPayload> | undefined> {
    const { index } = this.#target
    const digest = createHash('sha256').update(data).digest()
    if (!equalBytes(digest, cid.multihash.digest))
      throw logSyncError(LogSyncErrorCode.BLOCK_CID_MISMATCH, 'a block does not hash to its CID', {
        data: { cid: cid.toString() },
      })
    const hash = cid.toString(base58btc)
    if (this.#seen.has(hash)) throw unexpected(hash, 'sent twice')
    this.#seen.add(hash)
    if (!this.#expected.delete(hash)) {
      // A walk that passes below this node's heads sends entries it holds: redundant, not a lie.
      if ((await index.has(hash)) && !index.elided.has(hash)) return undefined
      throw unexpected(hash, 'not asked for')
    }
    const entry = await this.#entry(hash, data)
    for (const link of [...entry.next, ...entry.refs]) await this.#expect(link)
    return entry
  }

  async #entry(hash: string, data: Uint8Array): Promise<LogEntry<EventsPayload>> {
    const target = this.#target
    let entry: LogEntry<EventsPayload>
    try {
      entry = await target.decode(hash, data)
    } catch (cause) {
      throw malformedEntry(hash, 'does not open and decode', cause)
    }
    const reason = shapeProblem(entry, this.#validLinks)
    if (reason !== undefined) throw malformedEntry(hash, reason)
    if (entry.id !== target.address)
      throw logSyncError(LogSyncErrorCode.ENTRY_FROM_ANOTHER_LOG, 'an entry of another log', {
        data: { cid: hash },
      })
    return entry
  }

  /** The access controller's check and the writer's signature; throws FORGED_ENTRY. */
  async #authenticate(entry: LogEntry<EventsPayload>): Promise<void> {
    const target = this.#target
    const remember = !this.#request.intoBoundary
    if (!(await target.canAppend(entry, remember))) throw forged(entry.hash, 'access')
    let signed = false
    try {
      signed = await target.verifySignature(entry, remember)
    } catch (cause) {
      throw malformedEntry(entry.hash, 'signature check failed', cause)
    }
    if (!signed) throw forged(entry.hash, 'signature')
  }

  async #expect(link: string): Promise<void> {
    if (this.#seen.has(link) || this.#expected.has(link)) return
    const { index } = this.#target
    if (this.#request.intoBoundary && index.elided.has(link)) {
      this.#expected.add(link)
      return
    }
    if (await index.has(link)) return
    this.#expected.add(link)
    index.noteAbsent([link])
    this.#notedAbsent.push(link)
  }
}

/** Why a decoded value is not an OrbitDB entry Wesh can walk, or undefined. */
function shapeProblem(decoded: LogEntry<EventsPayload>, validLinks: Set<string>): string | undefined {
  // A peer's bytes: every field is checked, whatever the declared type says.
  const entry = decoded as unknown as Record<string, unknown>
  const { next, refs, clock } = entry
  if (!Array.isArray(next) || !Array.isArray(refs)) return 'links are not lists'
  if (next.length + refs.length > MAX_ENTRY_LINKS) return 'too many links'
  for (const link of [...(next as unknown[]), ...(refs as unknown[])]) {
    if (typeof link !== 'string') return 'a link is not an entry hash'
    if (validLinks.has(link)) continue
    if (!isEntryHash(link)) return 'a link is not an entry hash'
    validLinks.add(link)
  }
  if (typeof clock !== 'object' || clock === null) return 'no clock'
  const { time, id } = clock as Record<string, unknown>
  if (!Number.isSafeInteger(time) || (time as number) < 0 || typeof id !== 'string') return 'bad clock'
  if (entry.v !== 2) return 'unknown version'
  if (typeof entry.id !== 'string' || typeof entry.key !== 'string' || typeof entry.sig !== 'string')
    return 'missing fields'
  return undefined
}

function isEntryHash(text: string): boolean {
  try {
    const cid = CID.parse(text, base58btc)
    return cid.version === 1 && cid.code === 0x71 && cid.multihash.code === 0x12
  } catch {
    return false
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function unexpected(hash: string, reason: string): WeshError {
  return logSyncError(LogSyncErrorCode.UNEXPECTED_BLOCK, `a block ${reason}`, { data: { cid: hash, reason } })
}

function malformedEntry(hash: string, reason: string, cause?: unknown): WeshError {
  return logSyncError(LogSyncErrorCode.MALFORMED_ENTRY, `a block is not an entry of this log: ${reason}`, {
    data: { cid: hash, reason },
    ...(cause === undefined ? {} : { cause }),
  })
}

function forged(hash: string, check: 'access' | 'signature'): WeshError {
  return logSyncError(
    LogSyncErrorCode.FORGED_ENTRY,
    check === 'access' ? 'an entry the access controller refuses' : 'an entry whose writer signature fails',
    { data: { cid: hash, check } },
  )
}

/** Every failure of a walk as a typed error: the peer's misbehaviour as thrown, the rest as an interruption. */
function typed(error: unknown, signal: AbortSignal): WeshError {
  if (isWeshError(error)) return error
  if (signal.aborted) return logSyncError(LogSyncErrorCode.ABORTED, 'the walk was aborted', { cause: error })
  const name = error instanceof Error ? error.name : ''
  if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError')
    return logSyncError(LogSyncErrorCode.FRAME_TOO_LARGE, 'the peer sent a frame over the limit', {
      data: { frame: 'response', max: MAX_RESPONSE_BYTES },
      cause: error,
    })
  if (name === 'TimeoutError' || name === 'AbortError')
    return logSyncError(LogSyncErrorCode.TIMEOUT, `no frame for ${FRAME_TIMEOUT_MS} ms`, { cause: error })
  return logSyncError(LogSyncErrorCode.STREAM_ENDED, 'the stream ended before the walk did', {
    data: { reason: name === '' ? 'unknown' : name },
    cause: error,
  })
}
