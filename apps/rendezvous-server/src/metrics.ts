import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { RendezvousServer } from '@wesh/rendezvous'

/** Prometheus text exposition (version 0.0.4) of a rendezvous server's counters. */
export async function renderMetrics(server: RendezvousServer): Promise<string> {
  const { stats } = server
  const lines: string[] = []
  const metric = (
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    samples: Array<[string, number]>,
  ): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`)
  }
  const byStatus = (counts: Partial<Record<string, number>>): Array<[string, number]> =>
    Object.entries(counts).map(([status, value]) => [`{status="${status}"}`, value ?? 0])
  metric('wesh_rendezvous_registrations', 'gauge', 'Live registrations.', [
    ['', await server.service.store.size(Date.now())],
  ])
  metric(
    'wesh_rendezvous_register_total',
    'counter',
    'REGISTER requests by response status.',
    byStatus(stats.register),
  )
  metric(
    'wesh_rendezvous_discover_total',
    'counter',
    'DISCOVER requests by response status.',
    byStatus(stats.discover),
  )
  metric('wesh_rendezvous_discovered_total', 'counter', 'Registrations returned by DISCOVER.', [
    ['', stats.discovered],
  ])
  metric('wesh_rendezvous_unregister_total', 'counter', 'UNREGISTER requests.', [['', stats.unregister]])
  metric('wesh_rendezvous_malformed_total', 'counter', 'Frames that were not valid requests.', [
    ['', stats.malformed],
  ])
  metric('wesh_rendezvous_stream_errors_total', 'counter', 'Streams closed on error or idle timeout.', [
    ['', stats.streamErrors],
  ])
  metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [
    ['', process.memoryUsage().rss],
  ])
  return `${lines.join('\n')}\n`
}

/** Serves `GET /metrics` on `host:port`; resolves with the server and its URL once listening. */
export async function serveMetrics(
  server: RendezvousServer,
  hostPort: string,
): Promise<{ http: Server; url: string }> {
  const at = hostPort.lastIndexOf(':')
  const host = hostPort.slice(0, at)
  const port = Number(hostPort.slice(at + 1))
  const http = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404).end()
      return
    }
    renderMetrics(server).then(
      (text) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
      () => response.writeHead(500).end(),
    )
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(port, host, () => {
      resolve()
    })
  })
  const address = http.address() as AddressInfo
  return { http, url: `http://${host}:${address.port}/metrics` }
}
