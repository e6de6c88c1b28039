import { AccountKeys, accountGroup, contactGroup, createMultiMemberGroup } from '@wesh/groups'
import {
  MAX_HTTP_BODY_BYTES,
  replicationGroupOf,
  replicationGroupToJson,
  type ReplicationGroupJson,
} from '@wesh/replication'
import { fuzzHttpRequest, type FuzzTarget } from '@wesh/sim'
import { WeshError } from '@wesh/crypto'

/** How long one fuzzed request may take: no route of this API waits, so no answer in time is a finding. */
export const FUZZ_REQUEST_TIMEOUT_MS = 30_000

/**
 * The replication API under fuzz. `REPLICATION_INTERNAL_ERROR` (500) is its answer to an unexpected failure, and
 * every other 5xx is a finding too: `REPLICATION_STOPPED` (503) cannot be a right answer from a server that is
 * running, `STORAGE_FAILED` (507) is right only when the disk fails, and the fuzz runs on a healthy temp directory
 * (a request that made it fail would be the finding), `INVALID_TOKENS_FILE` (500) concerns the server's start and
 * `REPLICA_UNREACHABLE` (502) a client's request to a replica, never this API's answer.
 */
const internalCodes = ['REPLICATION_INTERNAL_ERROR']

/** One valid group of each type (multi-member, contact, account), in the JSON of `POST /v1/groups`. */
export function fuzzGroups(): ReplicationGroupJson[] {
  const alice = AccountKeys.create()
  return [
    createMultiMemberGroup().group,
    contactGroup(alice.accountSeed(), AccountKeys.create().accountId).group,
    accountGroup({ accountSeed: alice.accountSeed(), aliasSeed: alice.aliasSeed() }).group,
  ].map((group) => replicationGroupToJson(replicationGroupOf(group)))
}

/** The lengths of a group's fields in its JSON (`groupId`, `signPub`, `linkKey`, `linkKeySig`), in bytes. */
const FIELD_BYTES = [32, 32, 32, 64] as const

/**
 * A group's fields as one byte string (the group type, then each field): its mutations keep the JSON's form, hex
 * fields of the right length, so they reach the signature check and, when only the type or `signPub` changed,
 * past it.
 */
function fieldBytesOf(group: ReplicationGroupJson): Uint8Array {
  const fields = [group.groupId, group.signPub, group.linkKey, group.linkKeySig]
  return Uint8Array.from([group.groupType, ...fields.flatMap((hex) => [...Buffer.from(hex, 'hex')])])
}

function groupFromFieldBytes(bytes: Uint8Array): ReplicationGroupJson {
  let at = 1
  const [groupId, signPub, linkKey, linkKeySig] = FIELD_BYTES.map((length) => {
    const hex = Buffer.from(bytes.subarray(at, at + length)).toString('hex')
    at += length
    return hex
  }) as [string, string, string, string]
  return { groupType: bytes[0] ?? 0, groupId, signPub, linkKey, linkKeySig }
}

/** A request target with the characters `node:http` will not send (outside U+0021–U+007E) as UTF-8 escapes. */
function percentEncodeUnsendable(target: string): string {
  return target.replace(/[^\x21-\x7e]/gu, (character) =>
    [...Buffer.from(character)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join(''),
  )
}

/**
 * Fuzz targets over a running replication server's HTTP API, one per way in: the `POST /v1/groups` JSON body (its
 * corpus valid groups made with the packages' encoders, so that mutations reach past the field checks), the body's
 * fields as bytes, raw bytes as the body (one corpus body padded to `MAX_HTTP_BODY_BYTES`, so that mutations cross
 * the limit), `GET` and `DELETE` paths (and `GET` request targets sent as they are, unnormalized), the `Authorization` header, the method and the `Content-Length` header. In the body targets only the
 * first groups accepted open logs (the token's quota, `FUZZ_MAX_GROUPS`, refuses the rest); the field-bytes target
 * deletes each group it adds, so that every accepted case opens logs anew, and has a share of the budget.
 */
export function apiFuzzTargets(
  api: { url: string; token: string },
  groups: readonly ReplicationGroupJson[],
): FuzzTarget[] {
  const send = (
    method: string,
    path: string,
    options: {
      body?: string | Uint8Array
      authorization?: string
      contentLength?: string
      rawTarget?: boolean
    } = {},
  ) =>
    fuzzHttpRequest(
      { url: api.url, internalCodes, waits: false },
      {
        method,
        path,
        headers: {
          authorization: options.authorization ?? `Bearer ${api.token}`,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.contentLength === undefined ? {} : { 'content-length': options.contentLength }),
        },
        ...(options.body === undefined ? {} : { body: options.body }),
        ...(options.rawTarget === true ? { rawTarget: true } : {}),
        timeoutMs: FUZZ_REQUEST_TIMEOUT_MS,
      },
    )
  const ids = groups.map((group) => group.groupId)
  const bodies = groups.map((group) => JSON.stringify(group))
  const first = bodies[0] ?? '{}'
  const atLimit = `${first}${' '.repeat(Math.max(0, MAX_HTTP_BODY_BYTES - Buffer.byteLength(first)))}`
  const fromRoot = (path: string) => `/${path.replace(/^\/+/, '')}`
  return [
    {
      name: 'replication api: POST /v1/groups (JSON)',
      kind: 'json',
      decode: (body: unknown) => send('POST', '/v1/groups', { body: JSON.stringify(body) }),
      corpus: [...groups],
    },
    {
      name: 'replication api: POST /v1/groups (raw bytes)',
      kind: 'bytes',
      decode: (bytes: Uint8Array) => send('POST', '/v1/groups', { body: bytes }),
      corpus: [...bodies, atLimit].map((body) => new TextEncoder().encode(body)),
    },
    {
      name: 'replication api: POST /v1/groups (field bytes), then DELETE',
      kind: 'bytes',
      decode: async (bytes: Uint8Array) => {
        const group = groupFromFieldBytes(bytes)
        await send('POST', '/v1/groups', { body: JSON.stringify(group) })
        await send('DELETE', `/v1/groups/${group.groupId}`)
      },
      corpus: groups.map(fieldBytesOf),
      // Each case the signature check passes opens a group's logs and closes them: costly, and rarely new.
      budget: 0.1,
    },
    {
      name: 'replication api: GET (paths)',
      kind: 'text',
      decode: (path: string) => send('GET', fromRoot(path)),
      corpus: ['/v1/groups', ...ids.map((id) => `/v1/groups/${id}`), '/metrics'],
    },
    {
      name: 'replication api: GET (raw request targets)',
      kind: 'text',
      decode: (target: string) => send('GET', percentEncodeUnsendable(target), { rawTarget: true }),
      corpus: ['/v1/groups', `/v1/groups/${ids[0] ?? ''}`, '/v1/\\w%%f,+Bm', '//v1/groups', '*'],
    },
    {
      name: 'replication api: GET /v1/groups (Authorization)',
      kind: 'text',
      decode: (authorization: string) => send('GET', '/v1/groups', { authorization }),
      corpus: [`Bearer ${api.token}`, 'Bearer a-token-nobody-holds-0123456789'],
    },
    {
      name: 'replication api: /v1/groups (method)',
      kind: 'text',
      decode: (method: string) => send(method, '/v1/groups'),
      corpus: ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'],
    },
    {
      name: 'replication api: POST /v1/groups (Content-Length)',
      kind: 'text',
      decode: async (length: string) => {
        const declared = /^[ \t]*(\d+)[ \t]*$/.exec(length)?.[1]
        const sent = Buffer.byteLength(first)
        // A length over the body and within the limit makes the server wait, rightly, for bytes never sent.
        if (declared !== undefined && BigInt(declared) > sent && BigInt(declared) <= MAX_HTTP_BODY_BYTES) {
          throw new WeshError('SKIPPED_WOULD_WAIT', 'the server waits for the rest of the body')
        }
        await send('POST', '/v1/groups', { body: first, contentLength: length, rawTarget: true })
      },
      corpus: [
        '0',
        String(Buffer.byteLength(first) - 1),
        String(Buffer.byteLength(first)),
        String(MAX_HTTP_BODY_BYTES + 1),
      ],
    },
    {
      name: 'replication api: DELETE (paths)',
      kind: 'text',
      decode: (path: string) => send('DELETE', fromRoot(path)),
      corpus: ids.map((id) => `/v1/groups/${id}`),
    },
  ]
}
