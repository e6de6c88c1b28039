/** Which server the load child runs (`WESH_SIM_SERVER` environment variable, as JSON). */
export type ServerConfig =
  | { readonly role: 'rendezvous'; readonly maxRegistrationsPerPeer: number }
  | {
      readonly role: 'replication'
      readonly directory: string
      readonly token: string
      readonly maxGroups: number
    }

/** Parent → child, each with an `id` the answer repeats. */
export type ServerRequest =
  /** Memory after a GC, and the server's counters. */
  | { readonly id: number; readonly type: 'measure' }
  /** Replication: resolves once every group (hex IDs) holds at least `entries` message-log entries. */
  | {
      readonly id: number
      readonly type: 'wait'
      readonly groupIds: readonly string[]
      readonly entries: number
    }
  | { readonly id: number; readonly type: 'stop' }

export interface ServerMemory {
  readonly rss: number
  readonly heapUsed: number
}

/** Child → parent. */
export type ServerAnswer =
  | { readonly type: 'ready'; readonly address: string }
  | { readonly type: 'failed'; readonly error: string }
  | {
      readonly id: number
      readonly type: 'measured'
      readonly memory: ServerMemory
      readonly counters: Record<string, unknown>
    }
  | { readonly id: number; readonly type: 'done' }
