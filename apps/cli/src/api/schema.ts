// The JSON the daemon API answers, and what `--json` prints. Keys are hex of public keys (or poll IDs).

export interface IdView {
  readonly accountId: string
  readonly name: string
  /** `wesh://contact/…`: the contact card to share, with the current public rendezvous seed. */
  readonly link: string
  /** Whether the account takes contact requests (the card leads nowhere otherwise). */
  readonly contactRequests: boolean
}

export interface ContactView {
  /** The contact's account ID. */
  readonly accountId: string
  /** The name in their card. */
  readonly name: string
  /** `outgoing-enqueued`, `outgoing-sent`, `incoming-received`, `incoming-discarded` or `accepted`. */
  readonly status: string
  readonly blocked: boolean
  /** The group shared with the contact, once it is live on our side (sent or accepted). */
  readonly group: string | null
}

/** What `POST /v1/devices/link` streams: the code first, then (if waiting) each attempt until one links. */
export type LinkEvent =
  | { readonly event: 'code'; readonly link: string; readonly expiresAt: number }
  | { readonly event: 'refused'; readonly peer: string; readonly code: string }
  | { readonly event: 'linked'; readonly peer: string }

export interface MemberView {
  readonly id: string
  readonly devices: readonly string[]
  readonly admin: boolean
  /** This account. */
  readonly self: boolean
}

export interface ReplicaView {
  readonly server: string
  readonly recordedBy: string
}

export interface GroupView {
  readonly id: string
  readonly name: string | null
  readonly members: readonly MemberView[]
  readonly polls: number
  readonly replicas: readonly ReplicaView[]
}

export interface InvitationView {
  readonly group: string
  readonly name: string | null
  /** `wesh://group/…` */
  readonly link: string
}

export interface MessageView {
  readonly id: string
  readonly group: string
  /** Member ID of the sender, or null while its device is not yet known here. */
  readonly sender: string | null
  readonly device: string
  readonly self: boolean
  readonly counter: number
  readonly text: string
}

export interface PollView {
  readonly id: string
  readonly group: string
  readonly question: string
  readonly creator: string
  /** One entry per option: its text and how many members voted for it (one member, one vote). */
  readonly options: readonly { readonly text: string; readonly votes: number }[]
  readonly voters: number
  /** Our current vote (option index), if any. */
  readonly myVote: number | null
}

export interface ConnectionView {
  readonly peer: string
  readonly address: string
  readonly direction: string
}

export interface StatusView {
  readonly peerId: string
  readonly accountId: string
  readonly addresses: readonly string[]
  readonly protocols: readonly string[]
  readonly connections: readonly ConnectionView[]
  /** Where contact requests and groups find peers: `dht (public|lan)`, `local records`, `mdns`, `rendezvous <addr>`. */
  readonly discovery: readonly string[]
  /** Whether the account takes contact requests. */
  readonly contactRequests: boolean
  readonly groups: readonly { readonly id: string; readonly name: string | null; readonly members: number }[]
  readonly replicas: readonly (ReplicaView & { readonly group: string })[]
}
