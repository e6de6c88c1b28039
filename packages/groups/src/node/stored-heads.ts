/** The key under which OrbitDB 4.0.0 keeps a log's heads in its heads storage. */
export const HEADS_KEY = 'heads'

/** One head as OrbitDB 4.0.0 stores it: `{ hash, next }`, kept as read so that a rewrite loses nothing. */
export interface StoredHead {
  readonly hash: string
}

/** The heads in the bytes OrbitDB 4.0.0 stores under {@link HEADS_KEY}: one JSON list. */
export function readStoredHeads(stored: Uint8Array): StoredHead[] {
  return JSON.parse(new TextDecoder().decode(stored)) as StoredHead[]
}

/** The bytes to store under {@link HEADS_KEY} for `heads`, as read by {@link readStoredHeads}. */
export function storedHeadsBytes(heads: readonly StoredHead[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(heads))
}
