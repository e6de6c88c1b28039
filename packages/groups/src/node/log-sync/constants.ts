import { MAX_SIGNED_ENTRY_BYTES } from '../../constants.js'

/** The libp2p protocol that moves a group log's entry blocks in bulk (issue 11). */
export const LOG_SYNC_PROTOCOL = '/wesh/log-sync/1.0.0'

/**
 * Largest entry block: a `SignedEntry` at its limit, plus OrbitDB's own fields (log address, `next` and `refs`
 * links, clock, writer key, identity, signature) and the link-key seal around them.
 */
export const MAX_ENTRY_BLOCK_BYTES = MAX_SIGNED_ENTRY_BYTES + 65_536
/** Most `next` plus `refs` links of one entry; OrbitDB writes about 17, more on a log with many concurrent heads. */
export const MAX_ENTRY_LINKS = 1_024
/** Largest CID in a frame, in bytes (ours are 36: CIDv1, dag-cbor, SHA-256). */
export const MAX_CID_BYTES = 64
/** Longest log address in a request (`/orbitdb/<CID>` is 57 characters). */
export const MAX_LOG_ADDRESS_CHARS = 256
/** Most CIDs in a request's `want` list. */
export const MAX_WANTS = 64
/** Most CIDs in a request's `have` list. */
export const MAX_HAVES = 64
/** Largest `LogSyncRequest` frame. */
export const MAX_REQUEST_BYTES = (MAX_WANTS + MAX_HAVES) * (MAX_CID_BYTES + 2) + MAX_LOG_ADDRESS_CHARS + 64
/** Largest `LogSyncCredit` frame. */
export const MAX_CREDIT_FRAME_BYTES = 16

/** Batches a requester may allow in flight at once; the default is {@link DEFAULT_CREDIT}. */
export const MAX_CREDIT = 16
/** Batches in flight by default: enough to keep a fast link busy, little to buffer on a slow one. */
export const DEFAULT_CREDIT = 4
/** Smallest batch, in block bytes, a requester may ask for (a Bluetooth LE link asks for small ones). */
export const MIN_BATCH_BYTES = 1_024
/** Largest batch, in block bytes, a requester may ask for. */
export const MAX_BATCH_BYTES = 262_144
/** Batch size asked for by default, in block bytes. */
export const DEFAULT_BATCH_BYTES = 65_536
/** Most blocks in one batch. */
export const MAX_BATCH_BLOCKS = 256
/**
 * Largest `LogSyncResponse` frame: a batch of {@link MAX_BATCH_BYTES} or one block of {@link MAX_ENTRY_BLOCK_BYTES},
 * with the protobuf framing of up to {@link MAX_BATCH_BLOCKS} blocks.
 */
export const MAX_RESPONSE_BYTES =
  Math.max(MAX_BATCH_BYTES, MAX_ENTRY_BLOCK_BYTES) + MAX_BATCH_BLOCKS * (MAX_CID_BYTES + 16)

/** Longest wait for the next frame of a walk before it counts as interrupted. */
export const FRAME_TIMEOUT_MS = 30_000
/** Walks one node serves at once; more are answered `BUSY`. */
export const MAX_CONCURRENT_WALKS = 8
/** Entries kept decoded in memory per log, as OrbitDB's default. */
export const ENTRY_CACHE_SIZE = 1_000
/** Pins written at once in the background (a pin is several store operations; OrbitDB writes them one by one). */
export const PIN_CONCURRENCY = 2
/** Most hashes a shallow log keeps as its boundary (entries known by reference, not held). */
export const MAX_ELIDED = 4_096
/** Smallest `history.messages`: a head's own links (about 17) must fit in the first page. */
export const MIN_HISTORY_ENTRIES = 32
/** Largest page of {@link LogSync.loadOlder} and of the background backfill of a log cut short. */
export const MAX_PAGE_ENTRIES = 10_000
