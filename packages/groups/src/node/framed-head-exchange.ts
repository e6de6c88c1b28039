import type { Libp2p, Stream, StreamHandler } from '@libp2p/interface'
import { WeshError } from '@wesh/crypto'
import type { Uint8ArrayList } from 'uint8arraylist'
import { MAX_SIGNED_ENTRY_BYTES } from '../constants.js'
import { GroupsErrorCode } from '../errors.js'
import { delegate } from './delegate.js'
import { frame as lengthPrefixed, unframe as unframeLengthPrefixed } from './length-prefixed-frames.js'
import { unrefTimer } from './unref-timer.js'

/** The prefix of OrbitDB's head-exchange protocol (its `sync.js`: `/orbitdb/heads` + the log's address). */
const ORBITDB_HEADS = '/orbitdb/heads'
/** Ours: the same exchange with every head in a length-prefixed frame. Another wire, so another name. */
const WESH_HEADS = '/wesh/heads/1.0.0'

/** A head is one sealed entry block: the signed entry plus OrbitDB's own fields (identity, clock, parent links). */
export const MAX_HEAD_FRAME_BYTES = MAX_SIGNED_ENTRY_BYTES + 65_536

/**
 * Helia as OrbitDB should see it: the same node, except that OrbitDB's head exchange runs over framed streams.
 *
 * OrbitDB 4 sends each head with one `stream.send(bytes)` and decodes each chunk the stream yields as one head.
 * A libp2p stream is a byte stream, not a message stream: two heads sent back to back arrive in one chunk (or one
 * is split over two) whenever the muxer coalesces them, and the exchange then fails with "Could not decrypt entry"
 * and is not retried — two peers back from a partition with several heads each never merged. Here each head
 * travels as a 4-byte big-endian length and the bytes, and the receiver yields exactly one head per frame.
 */
export function withFramedHeadExchange<T extends { libp2p: Libp2p }>(
  ipfs: T,
  options: {
    /** The longest one head exchange may take; default `HEADS_EXCHANGE_TIMEOUT_MS`. */
    readonly exchangeTimeoutMs?: number
  } = {},
): T {
  const { exchangeTimeoutMs = HEADS_EXCHANGE_TIMEOUT_MS } = options
  const libp2p = delegate(ipfs.libp2p, {
    handle: (protocol: string | string[], handler: StreamHandler, options?: unknown) =>
      ipfs.libp2p.handle(
        renamed(protocol),
        isHeads(protocol)
          ? (stream, connection) => handler(framed(stream, exchangeTimeoutMs), connection)
          : handler,
        options as never,
      ),
    unhandle: (protocol: string | string[], options?: unknown) =>
      ipfs.libp2p.unhandle(renamed(protocol), options as never),
    dialProtocol: async (peer: never, protocols: string | string[], options?: unknown) => {
      const dial = () => ipfs.libp2p.dialProtocol(peer, renamed(protocols), options as never)
      if (!isHeads(protocols)) return dial()
      const stream = await dialHeads(dial, (options as { signal?: AbortSignal } | undefined)?.signal)
      return framed(stream, exchangeTimeoutMs)
    },
  })
  return delegate(ipfs, { libp2p })
}

/** Tries of a head-exchange dial that finds no handler yet; the waits double from the first one (about 6 s in all). */
export const HEADS_DIAL_ATTEMPTS = 8
export const HEADS_DIAL_FIRST_DELAY_MS = 50

/**
 * OrbitDB's sync subscribes to a log's topic first and registers the log's head-exchange handler after. A peer
 * that sees the subscription and dials at once can find no handler yet; OrbitDB takes that for "this peer does
 * not have the log" and never exchanges heads with it. The newcomer, which saw that peer's subscription before
 * it opened the log, does not dial either, so what the peer wrote before never arrives: a contact's first chain
 * key, or a whole history held by a replication server. A peer subscribed to the topic without the handler is
 * one between those two steps, so the dial is tried again a few times.
 */
async function dialHeads(dial: () => Promise<Stream>, signal: AbortSignal | undefined): Promise<Stream> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await dial()
    } catch (error) {
      const noHandlerYet = error instanceof Error && error.name === 'UnsupportedProtocolError'
      if (!noHandlerYet || attempt >= HEADS_DIAL_ATTEMPTS) throw error
      await pause(HEADS_DIAL_FIRST_DELAY_MS * 2 ** (attempt - 1), signal)
    }
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted()
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason as Error)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function isHeads(protocols: string | string[]): boolean {
  return [protocols].flat().some((protocol) => protocol.startsWith(ORBITDB_HEADS))
}

function renamed(protocols: string | string[]): string | string[] {
  const rename = (protocol: string) =>
    protocol.startsWith(ORBITDB_HEADS) ? WESH_HEADS + protocol.slice(ORBITDB_HEADS.length) : protocol
  return Array.isArray(protocols) ? protocols.map(rename) : rename(protocols)
}

/**
 * The longest one head exchange may take. OrbitDB's sync bounds only the dial: a peer that never closes its side
 * would hold the log's sync queue, and the peer would count as synced, for good. Aborted, the exchange fails,
 * OrbitDB forgets the peer and the next look for subscribed peers (heads-resync.ts) starts another one.
 */
export const HEADS_EXCHANGE_TIMEOUT_MS = 60_000

/**
 * The stream, with `send` framing each message and iteration yielding one whole message per frame, aborted
 * after `timeoutMs`.
 */
function framed(stream: Stream, timeoutMs: number): Stream {
  const deadline = setTimeout(() => {
    stream.abort(
      new WeshError(GroupsErrorCode.HEADS_EXCHANGE_TIMEOUT, 'the head exchange did not finish in time', {
        data: { ms: timeoutMs },
      }),
    )
  }, timeoutMs)
  unrefTimer(deadline) // an exchange under way does not keep the process alive
  stream.addEventListener(
    'close',
    () => {
      clearTimeout(deadline)
    },
    { once: true },
  )
  return delegate(stream, {
    send: (bytes: Uint8Array | Uint8ArrayList) => stream.send(frame(bytes)),
    [Symbol.asyncIterator]: () => unframe(stream)[Symbol.asyncIterator](),
  })
}

/** One head frame (see length-prefixed-frames.ts). */
export function frame(bytes: Uint8Array | Uint8ArrayList): Uint8ArrayList {
  return lengthPrefixed(bytes, MAX_HEAD_FRAME_BYTES, 'head')
}

/** The heads in a framed byte stream; frames over `MAX_HEAD_FRAME_BYTES` are refused before being buffered. */
export function unframe(chunks: AsyncIterable<Uint8Array | Uint8ArrayList>): AsyncGenerator<Uint8Array> {
  return unframeLengthPrefixed(chunks, MAX_HEAD_FRAME_BYTES, 'head')
}
