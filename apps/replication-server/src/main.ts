#!/usr/bin/env node
import { parseConfig, USAGE, UsageError } from './config.js'
import { jsonLog } from './log.js'
import { startServer } from './server.js'

async function main(): Promise<number> {
  let config
  try {
    config = parseConfig(process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`${error.message}\n\n${USAGE}`)
    return 2
  }
  if (config === undefined) {
    process.stdout.write(USAGE)
    return 0
  }
  const server = await startServer(config, jsonLog)
  const { libp2p } = server.replicas.node
  const ready = {
    peerId: libp2p.peerId.toString(),
    multiaddrs: libp2p.getMultiaddrs().map((address) => address.toString()),
    http: server.httpUrl,
  }
  process.stdout.write(`${JSON.stringify({ event: 'listening', ...ready })}\n`)
  jsonLog('info', 'listening', { ...ready, data: config.data, groups: server.replicas.list().length })
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string): void => {
      jsonLog('info', 'shutting down', { signal })
      resolve()
    }
    process.once('SIGTERM', shutdown)
    process.once('SIGINT', shutdown)
  })
  await server.stop()
  jsonLog('info', 'stopped')
  return 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    jsonLog('error', 'fatal', {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    })
    process.exitCode = 1
  },
)
