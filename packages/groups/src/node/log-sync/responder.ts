import type { Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import { FRAME_TIMEOUT_MS, MAX_BATCH_BLOCKS, MAX_CREDIT } from './constants.js'
import { LogSyncErrorCode, logSyncError } from './errors.js'
import {
  LogSyncEnd,
  decodeSyncCredit,
  encodeSyncResponse,
  type SyncBlock,
  type SyncRequest,
} from './frames.js'
import { type WalkSource, walkMissing } from './walk.js'

/**
 * Answers one walk on an open stream: the entries behind the request's wants that the requester lacks, newest
 * first, packed into batches of at most the size it asked for, never more batches in flight than the credit it
 * granted (a window at a time: the request's, then each `LogSyncCredit`), then the end frame. Stops quietly if
 * the requester ends the stream (it has everything it needed).
 */
export async function serveWalk(
  stream: Stream,
  lp: LengthPrefixedStream<Stream>,
  request: SyncRequest,
  source: WalkSource,
  signal: AbortSignal,
): Promise<void> {
  const credit = new Credit(request.credit)
  const reading = readCredits(lp, credit, signal)
  reading.catch(() => undefined) // observed through `credit`
  const send = async (blocks: SyncBlock[]) => {
    await credit.take(signal)
    await lp.write(encodeSyncResponse({ kind: 'batch', blocks }), { signal })
  }
  const walk = walkMissing(source, request)
  let batch: SyncBlock[] = []
  let batchBytes = 0
  let step = await walk.next()
  while (step.done !== true) {
    const { hash, bytes } = step.value
    if (
      batch.length > 0 &&
      (batchBytes + bytes.length > request.batchBytes || batch.length >= MAX_BATCH_BLOCKS)
    ) {
      await send(batch)
      batch = []
      batchBytes = 0
    }
    batch.push({ cid: CID.parse(hash, base58btc), data: bytes })
    batchBytes += bytes.length
    step = await walk.next()
  }
  if (batch.length > 0) await send(batch)
  await lp.write(encodeSyncResponse({ kind: 'end', end: LogSyncEnd[step.value] }), { signal })
  await stream.close({ signal })
}

/** Reads the requester's credit frames until it closes its side or the stream ends. */
async function readCredits(
  lp: LengthPrefixedStream<Stream>,
  credit: Credit,
  signal: AbortSignal,
): Promise<void> {
  try {
    for (;;) credit.grant(decodeSyncCredit(await lp.read({ signal })))
  } catch (error) {
    credit.fail(error)
  }
}

/** Batches the requester allows in flight: granted by its frames, taken by each batch sent. */
class Credit {
  #available: number
  #failure: Error | undefined
  #wake: (() => void) | undefined

  constructor(initial: number) {
    this.#available = initial
  }

  grant(batches: number): void {
    this.#available += batches
    // Credit only comes back once a window is in: more in flight than the most allowed is a broken requester.
    if (this.#available > MAX_CREDIT) {
      this.fail(
        logSyncError(LogSyncErrorCode.MALFORMED_FRAME, 'credit beyond the most allowed in flight', {
          data: { frame: 'credit', reason: 'credit out of range' },
        }),
      )
    }
    this.#wake?.()
  }

  fail(error: unknown): void {
    this.#failure ??= error instanceof Error ? error : new Error(String(error))
    this.#wake?.()
  }

  async take(signal: AbortSignal): Promise<void> {
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(FRAME_TIMEOUT_MS)])
    while (this.#available === 0) {
      if (this.#failure !== undefined) throw this.#failure
      deadline.throwIfAborted()
      await new Promise<void>((resolve) => {
        this.#wake = resolve
        deadline.addEventListener(
          'abort',
          () => {
            resolve()
          },
          { once: true },
        )
      })
      this.#wake = undefined
    }
    this.#available--
  }
}
