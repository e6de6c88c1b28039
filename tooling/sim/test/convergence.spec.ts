import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { utf8ToBytes } from '@wesh/crypto'
import { createMultiMemberGroup, encodeInvitation, parseInvitation } from '@wesh/groups'
import { expect, it } from 'vitest'
import { SimDevice, SimNetwork, waitForConvergence } from '../src/index.js'

it('names each head not on every replica when the wait is given up: its log, who holds it, who reads it', async () => {
  const root = await mkdtemp(join(tmpdir(), 'wesh-sim-gap-'))
  const network = new SimNetwork(1) // no island yet: the two devices never meet
  const [a, b] = ['d0', 'd1'].map((name) => new SimDevice({ name, directory: join(root, name), network }))
  try {
    await a!.start()
    await b!.start()
    const { group, groupSeed } = createMultiMemberGroup()
    await a!.join(group, groupSeed)
    await b!.join(parseInvitation(encodeInvitation(group)))
    const sent = await a!.session(group).send(utf8ToBytes('hello'))
    const wait = waitForConvergence([a!.session(group), b!.session(group)], new Set([sent]), {
      signal: AbortSignal.abort(), // described at once, as a wait that timed out is
      names: ['d0', 'd1'],
    })
    const message = String(await wait.catch((error: unknown) => error))
    expect(message).toContain('expected messages missing per replica: 0, 1')
    expect(message).toContain(`messages …${sent.slice(-6)} a head on d0, read by 1 of 2, sent`)
    expect(message).toMatch(/metadata …\w{6} a head on d1/)
  } finally {
    await a!.stop()
    await b!.stop()
    await rm(root, { recursive: true, force: true })
  }
})
