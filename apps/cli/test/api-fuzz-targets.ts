import { WeshError } from '@wesh/crypto'
import { fuzzHttpRequest, type FuzzTarget } from '@wesh/sim'

/** How long one fuzzed request may take; requests that wait on purpose (`wait`, `follow`, `voters`) end here. */
export const FUZZ_REQUEST_TIMEOUT_MS = 3_000

/** Real references of the daemon under test, so that fuzzed requests reach past the lookups. */
export interface FuzzReferences {
  /** A group's ID (hex), with a poll of options `a` and `b`. */
  readonly group: string
  readonly poll: string
  /** The group's invitation link and the account's contact link. */
  readonly invitation: string
  readonly contactLink: string
  /** A peer ID for multiaddrs. */
  readonly peerId: string
}

/**
 * A request that would make the daemon dial outside the machine: fuzzed multiaddrs are dialled by `/v1/peers` and
 * `/v1/groups/:group/replicas`, and the fuzz must only ever reach 127.0.0.1.
 */
function leavesLoopback(text: string): boolean {
  for (const [, protocol, value] of text.matchAll(
    /\/(ip4|ip6|dns|dns4|dns6|dnsaddr|ipcidr)\/([^/"\\\s]*)/g,
  )) {
    const loopback = (protocol === 'ip4' && value === '127.0.0.1') || (protocol === 'ip6' && value === '::1')
    if (!loopback) return true
  }
  return false
}

/**
 * Sends one request to the daemon, classified by `fuzzHttpRequest` (a refusal with the API's error JSON is counted
 * by code; a 5xx, `INTERNAL`, a body that is not the error JSON or no answer is a finding); a request that would
 * dial outside the machine is not sent. Stream routes are read to their first line, then hung up on.
 */
async function request(
  api: { url: string; token: string },
  method: 'GET' | 'POST',
  path: string,
  body: string | Uint8Array | undefined,
  stream = false,
): Promise<void> {
  if (leavesLoopback(`${path} ${typeof body === 'string' ? body : ''}`)) {
    throw new WeshError('SKIPPED_NOT_LOOPBACK', 'the request would dial outside 127.0.0.1')
  }
  await fuzzHttpRequest(
    // Waiting routes (`wait`, `follow`, `voters`) end at the timeout on purpose.
    { url: api.url, internalCodes: ['INTERNAL'], waits: true },
    {
      method,
      path,
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
      stream,
      timeoutMs: FUZZ_REQUEST_TIMEOUT_MS,
    },
  )
}

/**
 * Fuzz targets over a running daemon's HTTP API, one per way in: each POST route's JSON body (its corpus a valid
 * body, so mutations reach past the field checks), raw bytes as a body, paths, and the query strings that routes
 * read. Routes that change state get a share of the budget: each accepted case writes to a log (messages, polls,
 * votes, contact-request settings, a renewed seed) or makes a group or a contact request.
 */
export function apiFuzzTargets(api: { url: string; token: string }, refs: FuzzReferences): FuzzTarget[] {
  const group = `/v1/groups/${refs.group}`
  const loopback = `/ip4/127.0.0.1/tcp/9/p2p/${refs.peerId}`
  const post =
    (path: string, stream = false) =>
    (body: unknown) =>
      request(api, 'POST', path, JSON.stringify(body), stream)
  const body = (path: string, corpus: unknown, budget = 1, stream = false): FuzzTarget => ({
    name: `cli api: POST ${path.replace(refs.group, ':group').replace(refs.poll, ':poll')}`,
    kind: 'json',
    decode: post(path, stream),
    corpus: [corpus],
    budget,
  })
  const paths = [
    '/v1/id',
    '/v1/status',
    '/v1/contacts',
    '/v1/groups',
    group,
    `${group}/invitation`,
    `${group}/replicas`,
    `${group}/polls`,
    `${group}/polls/${refs.poll}`,
  ]
  return [
    body('/v1/peers', { multiaddr: loopback }),
    body('/v1/contacts', { link: refs.contactLink }, 0.01),
    body('/v1/contacts/nobody/accept', {}),
    body('/v1/contact-requests', { enabled: true }, 0.05),
    body('/v1/id/renew', {}, 0.005),
    body('/v1/devices/link', { wait: false }, 0.1, true),
    body('/v1/groups', { name: 'fuzz' }, 0.002),
    body('/v1/groups/join', { link: refs.invitation, wait: false }, 0.01),
    body(`${group}/messages`, { text: 'fuzz' }, 0.05),
    body(`${group}/polls`, { question: 'fuzz?', options: ['a', 'b'] }, 0.01),
    body(`${group}/polls/${refs.poll}/votes`, { option: 'a' }, 0.05),
    body(`${group}/replicas`, { server: loopback, token: 'fuzz' }),
    {
      name: 'cli api: POST /v1/groups/:group/messages (raw bytes)',
      kind: 'bytes',
      decode: (bytes: Uint8Array) => request(api, 'POST', `${group}/messages`, bytes),
      corpus: [new TextEncoder().encode('{"text":"fuzz"}')],
      budget: 0.05,
    },
    {
      name: 'cli api: GET (paths)',
      kind: 'text',
      decode: (path: string) => request(api, 'GET', `/${path.replace(/^\/+/, '')}`, undefined),
      corpus: paths,
    },
    {
      name: 'cli api: GET /v1/groups/:group/messages?…',
      kind: 'text',
      decode: (query: string) => request(api, 'GET', `${group}/messages?${query}`, undefined, true),
      corpus: ['limit=5', 'limit=1&follow=false'],
    },
    {
      name: 'cli api: GET /v1/groups/:group/polls/:poll?…',
      kind: 'text',
      decode: (query: string) => request(api, 'GET', `${group}/polls/${refs.poll}?${query}`, undefined),
      corpus: ['voters=0', 'wait=false'],
    },
  ]
}
