import type { AbortOptions, Libp2p } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Group } from '@wesh/groups'
import { malformed } from '../errors.js'
import type { GroupReplicaStatus } from '../replica-status.js'
import { replicationGroupOf } from '../replication-group.js'
import { requestReplica } from './replication-protocol.js'

/** The part of a member's `GroupSession` (`@wesh/groups/node`) that asking a replica needs. */
export interface ReplicatedSession {
  readonly group: Group
  /** Posts event 403 `GroupReplicating` (PROTOCOL.md §5) naming the replica. */
  recordReplica(server: string): Promise<void>
}

/** The part of a session's folded state that lists replicas (event 403). */
export interface SessionWithReplicas {
  readonly state: { readonly replicas: ReadonlyMap<string, unknown> }
}

/**
 * A member asks the replica at `replica` (a multiaddr ending with `/p2p/<peer ID>`) to replicate its group —
 * sending only the group's public part — then records `GroupReplicating` in the group, so every member learns
 * the replica and connects to it (PROTOCOL.md §8). The connection opened for the request stays up, so the
 * replica starts syncing at once. Throws the replica's typed refusal (`UNAUTHORIZED`, `QUOTA_EXCEEDED`, …).
 */
export async function replicateGroup(
  options: {
    readonly session: ReplicatedSession
    readonly libp2p: Pick<Libp2p, 'dialProtocol'>
    readonly replica: Multiaddr | string
    readonly token: string
  } & AbortOptions,
): Promise<GroupReplicaStatus | undefined> {
  const address = typeof options.replica === 'string' ? multiaddr(options.replica) : options.replica
  if (address.getComponents().find((component) => component.name === 'p2p') === undefined) {
    throw malformed('the replica address must end with /p2p/<peer ID>')
  }
  const status = await requestReplica(
    options.libp2p,
    address,
    { kind: 'add', group: replicationGroupOf(options.session.group), token: options.token },
    options.signal === undefined ? {} : { signal: options.signal },
  )
  await options.session.recordReplica(address.toString())
  return status
}

/**
 * Dials every replica recorded in the session's group (event 403) that is not connected yet; returns the
 * addresses that could not be reached. Call it after opening a group and whenever `state.replicas` grows.
 */
export async function connectToReplicas(
  session: SessionWithReplicas,
  libp2p: Pick<Libp2p, 'dial'>,
  options: AbortOptions = {},
): Promise<string[]> {
  const failed: string[] = []
  for (const server of session.state.replicas.keys()) {
    try {
      await libp2p.dial(multiaddr(server), options)
    } catch {
      failed.push(server) // a replica that is down or moved: the others, and the members, still serve
    }
  }
  return failed
}
