import type { Storage } from '@orbitdb/core'

/**
 * `storage` with its failed writes reported to `onError`, then thrown as before. OrbitDB catches an error thrown
 * while it joins a replicated entry and only prints it, so without this a disk that fills up (or fails) while a
 * log replicates would go unnoticed by the node's owner.
 */
export function reportingStorage(storage: Storage, onError: (error: unknown) => void): Storage {
  const reported =
    <A extends unknown[]>(write: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await write(...args)
      } catch (error) {
        onError(error)
        throw error
      }
    }
  const { del } = storage
  return {
    ...storage,
    put: reported(storage.put),
    ...(del === undefined ? {} : { del: reported(del) }),
  }
}
