import { createServer } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { createWeshNode } from '../../src/node/wesh-node.js'

const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

it('keeps its peer ID across restarts and releases its port on stop', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'wesh-node-'))
  dirs.push(directory)
  const options = {
    directory,
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan' as const },
  }
  const first = await createWeshNode(options)
  const peerId = first.libp2p.peerId.toString()
  const port = Number(first.libp2p.getMultiaddrs()[0]!.toString().split('/')[4])
  await first.stop()

  // The port is free again: a plain TCP server can take it.
  await new Promise<void>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
  })

  const second = await createWeshNode(options)
  expect(second.libp2p.peerId.toString()).toBe(peerId)
  await second.stop()
})
