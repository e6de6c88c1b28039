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
  const multiaddrs = server.node.getMultiaddrs().map((ma) => ma.toString())
  const peerId = server.node.peerId.toString()
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', peerId, multiaddrs, metrics: server.metricsUrl })}\n`,
  )
  jsonLog('info', 'listening', { peerId, multiaddrs, metrics: server.metricsUrl, data: config.data })
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
