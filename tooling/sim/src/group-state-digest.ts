import { toHex } from '@wesh/crypto'
import type { GroupState } from '@wesh/groups'

/**
 * The part of a group's folded state that every replica must agree on, as one canonical string: members and
 * their devices (in join order), which device sent its chain to whom, name, creator, admins, polls with every
 * member's vote, replicas, and what the fold rejected. Left out: `chainKeys`, the chains addressed to *our*
 * member, which differ by design.
 */
export function groupStateDigest(state: GroupState): string {
  const sorted = <T>(entries: Iterable<[string, T]>) => [...entries].sort(([a], [b]) => (a < b ? -1 : 1))
  return JSON.stringify({
    members: sorted(state.members).map(([id, member]) => [id, toHex(member.memberPk), member.devices]),
    deviceMembers: sorted(state.deviceMembers),
    chainKeysSent: sorted(state.chainKeysSent).map(([device, to]) => [device, [...to].sort()]),
    name: state.name ?? null,
    initialMember: state.initialMember ?? null,
    admins: [...state.admins].sort(),
    polls: sorted(state.polls).map(([id, poll]) => [
      id,
      poll.question,
      poll.options,
      poll.creator,
      sorted(poll.votes),
    ]),
    replicas: [...state.replicas.keys()],
    rejected: state.rejected,
  })
}
