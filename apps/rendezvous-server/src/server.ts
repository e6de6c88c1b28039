import { mkdir, readFile, writeFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { rendezvousServer, type RendezvousServer } from '@wesh/rendezvous'
import { LevelRegistrationStore } from '@wesh/rendezvous/level'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { ServerConfig } from './config.js'
import type { Log } from './log.js'
import { serveMetrics } from './metrics.js'

export interface RunningServer {
  node: Libp2p<{ rendezvous: RendezvousServer }>
  metricsUrl: string | undefined
  stop(): Promise<void>
}

/** The server's identity persists in the data directory, so clients' `/p2p/<id>` addresses survive restarts. */
async function loadIdentity(data: string) {
  const path = join(data, 'peer-key')
  try {
    return privateKeyFromProtobuf(await readFile(path))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    const key = await generateKeyPair('Ed25519')
    await writeFile(path, privateKeyToProtobuf(key), { mode: 0o600 })
    return key
  }
}

/** Wires the package's rendezvous server into a libp2p node with a LevelDB store; no protocol logic here. */
export async function startServer(config: ServerConfig, log: Log): Promise<RunningServer> {
  await mkdir(config.data, { recursive: true })
  const privateKey = await loadIdentity(config.data)
  const store = await LevelRegistrationStore.open(join(config.data, 'registrations'))
  if (store.skipped > 0) log('warn', 'skipped unreadable registrations', { skipped: store.skipped })
  let node: Libp2p<{ rendezvous: RendezvousServer }>
  try {
    node = await createLibp2p({
      privateKey,
      addresses: { listen: config.listen },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        ping: ping(),
        rendezvous: rendezvousServer({
          store,
          ...(config.minTtl === undefined ? {} : { minTtl: config.minTtl }),
          ...(config.maxTtl === undefined ? {} : { maxTtl: config.maxTtl }),
        }),
      },
    })
  } catch (error) {
    await store.close()
    throw error
  }
  let http: Server | undefined
  let metricsUrl: string | undefined
  if (config.metrics !== undefined) {
    try {
      ;({ http, url: metricsUrl } = await serveMetrics(node.services.rendezvous, config.metrics))
    } catch (error) {
      await node.stop()
      throw error
    }
  }
  return {
    node,
    metricsUrl,
    async stop() {
      await new Promise<void>((resolve) => {
        if (http === undefined) resolve()
        else
          http.close(() => {
            resolve()
          })
      })
      await node.stop() // stops the rendezvous service, which closes the store
    },
  }
}
