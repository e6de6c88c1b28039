import { WeshError, isWeshError } from '@wesh/crypto'

/**
 * Codes the CLI adds to the packages' own (`GROUP_UNKNOWN`, `INVALID_INVITATION`, … pass through unchanged from the
 * daemon). Scripts branch on the code printed by `--json`, never on the message.
 */
export const CliErrorCode = {
  /** No daemon answers for this profile: its API file is missing or nobody listens at its address. */
  DAEMON_NOT_RUNNING: 'DAEMON_NOT_RUNNING',
  /** A daemon already runs on this profile. `data`: `{ pid }`. */
  DAEMON_ALREADY_RUNNING: 'DAEMON_ALREADY_RUNNING',
  /** The daemon refused the API token: the token file changed, or another daemon took the address. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** The profile directory has not been made by `wesh init`. `data`: `{ profile }`. */
  PROFILE_NOT_FOUND: 'PROFILE_NOT_FOUND',
  /** `wesh init` on a profile that already holds an account. `data`: `{ profile }`. */
  PROFILE_EXISTS: 'PROFILE_EXISTS',
  /** A secret file (store key, API token) can be read by other users. `data`: `{ path, mode }`. */
  INSECURE_PERMISSIONS: 'INSECURE_PERMISSIONS',
  /** A group reference (ID prefix or name) matches several groups. `data`: `{ reference, matches }`. */
  AMBIGUOUS_GROUP: 'AMBIGUOUS_GROUP',
  /** A poll reference matches no poll of the group. `data`: `{ reference }`. */
  POLL_UNKNOWN: 'POLL_UNKNOWN',
  /** A poll reference (ID prefix) matches several polls. `data`: `{ reference, matches }`. */
  AMBIGUOUS_POLL: 'AMBIGUOUS_POLL',
  /** A contact reference (name or account ID prefix) matches no contact. `data`: `{ reference }`. */
  CONTACT_UNKNOWN: 'CONTACT_UNKNOWN',
  /** A contact reference matches several contacts. `data`: `{ reference, matches }`. */
  AMBIGUOUS_CONTACT: 'AMBIGUOUS_CONTACT',
  /**
   * The replication server refused the token (its own code is `UNAUTHORIZED`, renamed so that it is not taken for
   * the daemon's API token). `data`: `{ server }`.
   */
  REPLICA_TOKEN_REFUSED: 'REPLICA_TOKEN_REFUSED',
  /** A multiaddr that does not parse, or a peer that could not be dialled. `data`: `{ multiaddr }`. */
  PEER_UNREACHABLE: 'PEER_UNREACHABLE',
  /** A request body that is not the JSON the API expects, or larger than `MAX_REQUEST_BYTES`. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** An API path the daemon does not serve (an older daemon than the client). */
  NOT_FOUND: 'NOT_FOUND',
  /** A wait (`--wait`) that did not end before `--timeout`. */
  TIMEOUT: 'TIMEOUT',
  /** A failure without a code of its own; the message says what. */
  INTERNAL: 'INTERNAL',
} as const
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode]

export function cliError(
  code: CliErrorCode,
  message: string,
  options: { data?: Record<string, unknown>; cause?: unknown } = {},
): WeshError {
  return new WeshError(code, message, options)
}

/** What to try next, per code: printed under the error so a person knows the next command to run. */
const HINTS: Record<string, string> = {
  DAEMON_NOT_RUNNING: 'start it with `wesh daemon` (same --profile) in another terminal',
  DAEMON_ALREADY_RUNNING: 'stop the running daemon first (Ctrl-C or SIGTERM), or use another --profile',
  UNAUTHORIZED: 'restart `wesh daemon`: it writes a fresh token file',
  PROFILE_NOT_FOUND: 'create it with `wesh init`, or pass the right --profile',
  PROFILE_EXISTS: 'this profile already holds an account; choose another with --profile <dir>',
  INSECURE_PERMISSIONS: 'make the file private: chmod 600 <file>',
  AMBIGUOUS_GROUP: 'use more characters of the group ID (see `wesh group list`)',
  GROUP_UNKNOWN: 'list your groups with `wesh group list`, or join with `wesh group join <link>`',
  POLL_UNKNOWN: 'list the polls with `wesh poll show <group>`',
  AMBIGUOUS_POLL: 'use more characters of the poll ID (see `wesh poll show <group>`)',
  INVALID_INVITATION: 'ask for a fresh link: the inviter runs `wesh group invite <group>`',
  INVALID_CONTACT_CARD: 'ask for a fresh card: the other side runs `wesh id`',
  CONTACT_UNKNOWN: 'list your contacts with `wesh contact list`, requests with `wesh contact requests`',
  AMBIGUOUS_CONTACT: 'use more characters of the account ID (see `wesh contact list`)',
  CONTACT_BLOCKED: 'unblock it first with `wesh contact unblock <contact>`',
  INVALID_CONTACT_STATE: 'see where the contact stands with `wesh contact list`',
  INVALID_LINK_CODE: 'copy the whole wesh://link/… code that `wesh device link` printed',
  LINK_CODE_EXPIRED: 'ask for a fresh code: run `wesh device link` on the existing device',
  LINK_REFUSED: 'a code works once, for 5 minutes: run `wesh device link` again',
  LINK_PROOF_FAILED: 'the device that answered does not hold the code: check who showed it',
  REPLICA_TOKEN_REFUSED: 'check the --token the replication server gave you',
  REPLICA_UNREACHABLE: 'check the server address (a multiaddr ending with /p2p/<peer ID>) and that it runs',
  QUOTA_EXCEEDED: "this token's quota is used up: ask the server's operator",
  MALFORMED_REQUEST: 'check the server address: a multiaddr ending with /p2p/<peer ID>',
  PEER_UNREACHABLE: 'check the address (a multiaddr ending with /p2p/<peer ID>, from `wesh status`)',
  INVALID_ARGUMENT: 'see `wesh <command> --help` for what the command takes',
  INVALID_LENGTH: 'see `wesh <command> --help` for what the command takes',
  BAD_REQUEST: 'the client and the daemon may be of different versions',
  NOT_FOUND: 'the client and the daemon may be of different versions',
  TIMEOUT: 'peers may be offline; connect one with `wesh peer connect <multiaddr>`',
  SESSION_CLOSED: 'the daemon is stopping; start it again',
}

/** One line telling what to do about an error with this code. */
export function hintFor(code: string): string | undefined {
  return HINTS[code]
}

/** An error as the API and `--json` show it: a stable code, a message and its data, never a stack. */
export interface ErrorBody {
  readonly code: string
  readonly message: string
  readonly data?: Readonly<Record<string, unknown>>
}

export function errorBody(error: unknown): ErrorBody {
  if (isWeshError(error)) {
    return { code: error.code, message: error.message, ...(error.data ? { data: error.data } : {}) }
  }
  return { code: CliErrorCode.INTERNAL, message: error instanceof Error ? error.message : String(error) }
}
