// The part of @orbitdb/core 4 that Wesh uses: the package ships JavaScript without type declarations.
declare module '@orbitdb/core' {
  import type { Helia } from 'helia'
  import type { EventEmitter } from 'node:events'

  export interface Identity {
    readonly id: string
    readonly hash: string
    readonly publicKey: string
    readonly type: string
    /** Checks an entry signature (hex) under a public key (hex) over the signed bytes. */
    verify(signature: string, publicKey: string, data: Uint8Array): Promise<boolean>
  }

  export interface KeyStoreInstance {
    close(): Promise<void>
  }

  export interface IdentitiesInstance {
    createIdentity(options: { id: string }): Promise<Identity>
    getIdentity(hash: string): Promise<Identity | undefined>
    verifyIdentity(identity: Identity): Promise<boolean>
    readonly keystore: KeyStoreInstance
  }

  export interface LogEntry<T = unknown> {
    readonly id: string
    readonly hash: string
    readonly payload: T
    readonly next: readonly string[]
    readonly refs: readonly string[]
    readonly clock: { readonly id: string; readonly time: number }
    readonly identity: string
    readonly key: string
    readonly sig: string
  }

  export interface EventsPayload {
    readonly op: 'ADD'
    readonly key: null
    readonly value: unknown
  }

  export interface AccessControllerInstance {
    readonly type: string
    readonly address: string
    readonly write: readonly string[]
    canAppend(entry: LogEntry<EventsPayload>): Promise<boolean>
  }

  export interface AccessControllerContext {
    readonly orbitdb: { readonly ipfs: Helia }
    readonly identities: IdentitiesInstance
    readonly address?: string
    readonly name?: string
  }

  export type AccessControllerFactory = ((
    options?: unknown,
  ) => (context: AccessControllerContext) => Promise<AccessControllerInstance>) & { readonly type: string }

  export interface EncryptionModule {
    encrypt(bytes: Uint8Array): Promise<Uint8Array>
    decrypt(bytes: Uint8Array): Promise<Uint8Array>
  }

  export interface Encryption {
    readonly replication?: EncryptionModule
    readonly data?: EncryptionModule
  }

  export interface EventsDatabase {
    readonly address: string
    /** Peers whose head exchange with us is done or under way (OrbitDB's sync). */
    readonly peers: Set<string>
    /** OrbitDB's head exchange; `start()` is for a database opened with `syncAutomatically: false`. */
    readonly sync: { start(): Promise<void> }
    readonly name: string
    readonly access: AccessControllerInstance
    readonly events: EventEmitter
    readonly log: {
      heads(): Promise<LogEntry<EventsPayload>[]>
      get(hash: string): Promise<LogEntry<EventsPayload> | undefined>
      /** True when the entry is in the log (its index), not merely in block storage. */
      has(hash: string): Promise<boolean>
      traverse(): AsyncIterable<LogEntry<EventsPayload>>
      /** The entry blocks, as stored (encrypted for replication). */
      readonly storage: { get(hash: string): Promise<Uint8Array | undefined> }
      /** Joins a peer's head and the path to ours; false when it was already there. Writable: see join-retry.ts. */
      joinEntry(entry: LogEntry<EventsPayload>): Promise<boolean>
      /** Appends a payload after the current heads. Writable: see exclusive-head-updates.ts. */
      append(payload: unknown, options?: { referencesCount?: number }): Promise<LogEntry<EventsPayload>>
    }
    add(value: unknown): Promise<string>
    get(hash: string): Promise<unknown>
    all(): Promise<{ hash: string; value: unknown }[]>
    iterator(options?: {
      gt?: string
      gte?: string
      lt?: string
      lte?: string
      amount?: number
    }): AsyncIterable<{
      hash: string
      value: unknown
    }>
    close(): Promise<void>
    drop(): Promise<void>
  }

  export interface DatabaseOptions {
    ipfs: Helia
    identity: Identity
    address: string
    name: string
    access: AccessControllerInstance
    directory: string
    meta?: unknown
    syncAutomatically?: boolean
    encryption?: Encryption
    /** Where entry blocks are read and written; by default an LRU cache over IPFS block storage. */
    entryStorage?: Storage
    /** Where the log's heads are kept; by default an LRU cache over LevelDB in `<directory>/<address>/log/_heads/`. */
    headsStorage?: Storage
    /** Which entries the log holds; by default an LRU cache over LevelDB in `<directory>/<address>/log/_index/`. */
    indexStorage?: Storage
  }

  export function Events(): (options: DatabaseOptions) => Promise<EventsDatabase>

  export interface OrbitDB {
    readonly id: string
    readonly ipfs: Helia
    readonly directory: string
    readonly identities: IdentitiesInstance
    readonly identity: Identity
    /** Opens (or creates, by name) a database with OrbitDB's own access controller: what stock OrbitDB users run. */
    open(address: string, options?: { type?: 'events' }): Promise<EventsDatabase>
    stop(): Promise<void>
  }

  export function createOrbitDB(options: { ipfs: Helia; directory?: string; id?: string }): Promise<OrbitDB>
  export function useAccessController(factory: AccessControllerFactory): void

  /** OrbitDB storages are objects of closures: their functions may be taken off them. */
  export interface Storage {
    put: (hash: string, data: Uint8Array) => Promise<void>
    get: (hash: string) => Promise<Uint8Array | undefined>
    del?: (hash: string) => Promise<void>
    close: () => Promise<void>
  }
  export function LevelStorage(options: { path: string }): Promise<Storage>
  export function IPFSBlockStorage(options: {
    ipfs: Helia
    pin?: boolean
    timeout?: number
  }): Promise<Storage>
  export function LRUStorage(options?: { size?: number }): Promise<Storage>
  export function ComposedStorage(first: Storage, second: Storage): Promise<Storage>
}
