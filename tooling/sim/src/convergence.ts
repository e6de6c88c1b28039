import type { GroupSession } from '@wesh/groups/node'

/** What one replica holds of a group: its heads, and the IDs of the messages it reads, in its log's order. */
export interface ReplicaView {
  readonly heads: string
  readonly messageIds: readonly string[]
}

/** The heads of both logs as one comparable string: two replicas with equal heads hold the same entries. */
export async function headsOf(session: GroupSession): Promise<string> {
  const heads = await session.heads()
  return `${[...heads.metadata].sort().join(',')}|${[...heads.messages].sort().join(',')}`
}

export async function viewOf(session: GroupSession): Promise<ReplicaView> {
  return {
    heads: await headsOf(session),
    messageIds: (await session.messages()).map((message) => message.id),
  }
}

/** True when every replica has the same heads on both logs and reads every expected message. */
async function converged(sessions: readonly GroupSession[], expected: ReadonlySet<string>): Promise<boolean> {
  const heads = await Promise.all(sessions.map(headsOf))
  if (new Set(heads).size > 1) return false
  for (const session of sessions) {
    const ids = new Set((await session.messages()).map((message) => message.id))
    for (const id of expected) if (!ids.has(id)) return false
  }
  return true
}

/**
 * Resolves once the replicas of one group agree (same heads on both logs) and each reads every message in
 * `expected`. Waits on the sessions' log updates, never on a clock: the check runs again after each update any of
 * them processes. Rejects with a description of who lacks what if `signal` aborts first.
 */
export async function waitForConvergence(
  sessions: readonly GroupSession[],
  expected: ReadonlySet<string>,
  options: {
    signal?: AbortSignal
    /** The replicas' names, in the order of `sessions`, for the description of a failure. */
    names?: readonly string[]
  } = {},
): Promise<void> {
  const { signal, names = sessions.map((_, i) => `replica ${i}`) } = options
  let done = false
  let wake: (() => void) | undefined
  let dirty = true
  const notify = () => {
    dirty = true
    wake?.()
  }
  // One waiter per session at a time: each loop re-arms after the update it waited for.
  for (const session of sessions) {
    void (async () => {
      while (!done) {
        await session.nextUpdate()
        notify()
      }
    })()
  }
  const onAbort = () => {
    notify()
  }
  signal?.addEventListener('abort', onAbort)
  try {
    for (;;) {
      if (signal?.aborted)
        throw new Error(await describeGap(sessions, expected, names), { cause: signal.reason })
      if (dirty) {
        dirty = false
        if (await converged(sessions, expected)) return
        continue
      }
      await new Promise<void>((resolve) => (wake = resolve))
      wake = undefined
    }
  } finally {
    done = true
    signal?.removeEventListener('abort', onAbort)
  }
}

const short = (hash: string) => `…${hash.slice(-6)}`

/**
 * Who lacks how many expected messages, how many different heads the replicas have, and each head not every replica
 * has: who has it, and whether they read it as a message that was sent (message IDs are entry hashes). A head that
 * every replica reads but only some hold as a head is an entry the others hold behind a later one.
 */
async function describeGap(
  sessions: readonly GroupSession[],
  expected: ReadonlySet<string>,
  names: readonly string[],
): Promise<string> {
  const views = await Promise.all(sessions.map(viewOf))
  const missing = views.map((view) => {
    const ids = new Set(view.messageIds)
    return [...expected].filter((id) => !ids.has(id)).length
  })
  const holders = new Map<string, { log: 'metadata' | 'messages'; who: string[] }>()
  for (const [i, session] of sessions.entries()) {
    const heads = await session.heads()
    for (const log of ['metadata', 'messages'] as const) {
      for (const head of heads[log]) {
        const held = holders.get(head) ?? { log, who: [] }
        held.who.push(names[i] ?? String(i))
        holders.set(head, held)
      }
    }
  }
  const described = [...holders]
    .filter(([, { who }]) => who.length < sessions.length)
    .map(([head, { log, who }]) => {
      const where = `${log} ${short(head)} a head on ${who.join(',')}`
      if (log === 'metadata') return where
      const readers = views.filter((view) => view.messageIds.includes(head)).length
      const sent = expected.has(head) ? 'sent' : 'not a sent message'
      return `${where}, read by ${readers} of ${sessions.length}, ${sent}`
    })
  return (
    `not converged: ${new Set(views.map((view) => view.heads)).size} distinct heads among ${sessions.length} ` +
    `replicas; expected messages missing per replica: ${missing.join(', ')}` +
    (described.length === 0 ? '' : `; heads not on every replica: ${described.join('; ')}`)
  )
}
