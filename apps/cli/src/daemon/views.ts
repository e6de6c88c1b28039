import { toHex } from '@wesh/crypto'
import { tallyPoll, type PollState } from '@wesh/groups'
import type { GroupMessage, GroupSession } from '@wesh/groups/node'
import type { GroupView, MemberView, MessageView, PollView } from '../api/schema.js'

// Turns group state into the API's JSON: hex for keys, text for plaintext. No protocol decisions here.

/** Our member ID in the group: the member our device in this session belongs to, once the log says so. */
export function selfMember(session: GroupSession): string | undefined {
  return session.state.deviceMembers.get(toHex(session.devicePublicKey))
}

export function memberViews(session: GroupSession): MemberView[] {
  const self = selfMember(session)
  return [...session.state.members.entries()].map(([id, member]) => ({
    id,
    devices: [...member.devices],
    admin: session.state.admins.has(id),
    self: id === self,
  }))
}

export function groupView(session: GroupSession): GroupView {
  const { state } = session
  return {
    id: toHex(session.group.publicKey),
    name: state.name ?? null,
    members: memberViews(session),
    polls: state.polls.size,
    replicas: [...state.replicas.values()].map(({ server, recordedBy }) => ({ server, recordedBy })),
  }
}

export function messageView(session: GroupSession, message: GroupMessage): MessageView {
  const device = toHex(message.devicePk)
  const sender = session.state.deviceMembers.get(device) ?? null
  return {
    id: message.id,
    group: toHex(session.group.publicKey),
    sender,
    device,
    self: device === toHex(session.devicePublicKey) || (sender !== null && sender === selfMember(session)),
    counter: message.counter,
    text: decodeText(message.plaintext),
  }
}

export function pollView(session: GroupSession, poll: PollState): PollView {
  const { counts, voters } = tallyPoll(poll)
  const self = selfMember(session)
  return {
    id: toHex(poll.pollId),
    group: toHex(session.group.publicKey),
    question: poll.question,
    creator: poll.creator,
    options: poll.options.map((text, index) => ({ text, votes: counts[index] ?? 0 })),
    voters,
    myVote: self === undefined ? null : (poll.votes.get(self) ?? null),
  }
}

// Messages from other applications may not be UTF-8: shown with replacement characters, never a failure.
const text = new TextDecoder('utf-8', { fatal: false })
function decodeText(bytes: Uint8Array): string {
  return text.decode(bytes)
}
