import type { AccountStateV1 } from '@wesh/groups'

/** What the parent gives the writer node on each start (in the `WESH_SIM_CRASH` environment variable, as JSON). */
export interface CrashChildConfig {
  /** The node's directory: the same on every start, so each start recovers what the last one left. */
  readonly directory: string
  /** The secret store's key, hex (the user's passphrase, kept outside the node). */
  readonly storeKey: string
  /** The writer's account keys (the app's keychain). */
  readonly account: AccountStateV1
  /** The group's invitation, hex (`encodeInvitation`). */
  readonly invitation: string
  /** TCP multiaddrs of the peer that replicates the group. */
  readonly peer: readonly string[]
  /** Bytes per message. */
  readonly messageBytes: number
  /**
   * Write as soon as told, without waiting for our chain key to have gone to the peer. Off by default: a device
   * that writes before its metadata log has shown it the other members sends them its chain only later, at its
   * then-current counter, and its earlier messages stay unreadable to them (RESILIENCE.md, bug 1) — a join race,
   * not a crash-safety matter. On, it reproduces that bug.
   */
  readonly writeAtOnce: boolean
}

/** Parent → child. */
export type CrashCommand =
  /** Send messages without pause, several calls in flight, until killed or stopped. */
  | { readonly type: 'write' }
  /** Report our heads now and after every log update, until `write`. */
  | { readonly type: 'watch' }
  /** Report the messages we read. */
  | { readonly type: 'view' }
  /** Stop cleanly and exit. */
  | { readonly type: 'stop' }

/** Child → parent. */
export type CrashReport =
  /** Opened cleanly; `held`: IDs of the messages it reads, newest first. */
  | { readonly type: 'ready'; readonly held: readonly string[]; readonly openMs: number }
  /** A `send` resolved with this message ID. */
  | { readonly type: 'sent'; readonly id: string }
  /** Our heads on both logs (sorted hashes), while watched. */
  | { readonly type: 'heads'; readonly heads: string }
  /** IDs of the messages we read, newest first. */
  | { readonly type: 'view'; readonly ids: readonly string[] }
  /** Opening the node, the secret store or the group failed: the state on disk did not open cleanly. */
  | { readonly type: 'open-failed'; readonly stage: string; readonly error: string }
  /** A session refused or reported something (`what`, error code). */
  | { readonly type: 'rejected'; readonly what: string; readonly code: string }
  | { readonly type: 'stopped' }
