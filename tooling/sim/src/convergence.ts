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
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const { signal } = options
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
      if (signal?.aborted) throw new Error(await describeGap(sessions, expected), { cause: signal.reason })
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

/** Who lacks how many expected messages, and how many different heads the replicas have. */
async function describeGap(
  sessions: readonly GroupSession[],
  expected: ReadonlySet<string>,
): Promise<string> {
  const views = await Promise.all(sessions.map(viewOf))
  const missing = views.map((view) => {
    const ids = new Set(view.messageIds)
    return [...expected].filter((id) => !ids.has(id)).length
  })
  return (
    `not converged: ${new Set(views.map((view) => view.heads)).size} distinct heads among ${sessions.length} ` +
    `replicas; expected messages missing per replica: ${missing.join(', ')}`
  )
}
