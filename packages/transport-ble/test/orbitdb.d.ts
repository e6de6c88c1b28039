// @orbitdb/core 4 ships no type declarations; these cover what the tests use.
declare module '@orbitdb/core' {
  interface OrbitEntry {
    hash: string
    value: unknown
  }
  interface OrbitDatabase {
    address: string
    add(value: unknown): Promise<string>
    all(): Promise<OrbitEntry[]>
    close(): Promise<void>
    events: {
      on(event: 'update', listener: (entry: OrbitEntry) => void): void
      on(event: 'join', listener: (peerId: unknown, heads: unknown) => void): void
    }
  }
  interface OrbitDB {
    open(address: string, options?: { type?: string }): Promise<OrbitDatabase>
    stop(): Promise<void>
  }
  export function createOrbitDB(options: { ipfs: unknown; directory: string; id?: string }): Promise<OrbitDB>
}
