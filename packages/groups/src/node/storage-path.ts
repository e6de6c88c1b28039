/**
 * Joins the parts of a storage location with `/`, as `node:path`'s `join` does on POSIX, without importing it:
 * on Node the result is a LevelDB directory, in a browser the name of an IndexedDB database (OrbitDB's storage
 * goes through `level`, which is LevelDB on Node and IndexedDB in a browser).
 */
export function storagePath(...parts: readonly string[]): string {
  return parts
    .filter((part) => part !== '')
    .join('/')
    .replace(/\/{2,}/g, '/')
}
