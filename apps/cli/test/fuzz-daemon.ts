import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GroupView, IdView, InvitationView, PollView } from '../src/api/schema.js'
import type { FuzzReferences } from './api-fuzz-targets.js'
import { LOOPBACK_NETWORK, startWesh, weshJson } from './processes.ts'

export interface FuzzDaemon {
  readonly api: { url: string; token: string }
  readonly refs: FuzzReferences
  /** Whether the daemon still answers, after the fuzz. */
  alive(): Promise<boolean>
  /** Stops the daemon (SIGTERM; its exit code is returned) and removes its profile. */
  stop(): Promise<number | null>
}

/**
 * A real `wesh daemon` in a child process on a fresh profile, on 127.0.0.1 only, with one group holding one poll:
 * what the API fuzz sends its requests to.
 */
export async function startFuzzDaemon(): Promise<FuzzDaemon> {
  const root = await mkdtemp(join(tmpdir(), 'wesh-api-fuzz-'))
  const profile = ['--profile', join(root, 'profile')]
  await weshJson(['init', '--name', 'Fuzz', ...profile])
  const daemon = startWesh(['daemon', ...profile, ...LOOPBACK_NETWORK, '--json'])
  const ready = JSON.parse(await daemon.line((line) => line.includes('"ready"'))) as {
    api: string
    peerId: string
  }
  const token = (await readFile(join(root, 'profile', 'api-token'), 'utf8')).trim()
  const api = { url: ready.api, token }
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${api.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`)
    return (await response.json()) as T
  }
  const group = await call<GroupView>('/v1/groups', { name: 'fuzz' })
  const poll = await call<PollView>(`/v1/groups/${group.id}/polls`, {
    question: 'fuzz?',
    options: ['a', 'b'],
  })
  const invitation = await call<InvitationView>(`/v1/groups/${group.id}/invitation`)
  const id = await call<IdView>('/v1/id')
  return {
    api,
    refs: {
      group: group.id,
      poll: poll.id,
      invitation: invitation.link,
      contactLink: id.link,
      peerId: ready.peerId,
    },
    async alive() {
      return call('/v1/status').then(
        () => true,
        () => false,
      )
    },
    async stop() {
      const code = await daemon.stop()
      await rm(root, { recursive: true, force: true })
      return code
    },
  }
}
