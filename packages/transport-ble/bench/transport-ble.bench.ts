// Goodput over the simulated radio against its configured capacity, at MTU 23 / 185 / 512, and connection set-up
// time; one run, a table for the README's "Speed" section. Run `pnpm build && pnpm bench`.
// Baseline of each row: the configured capacity of the link (what a perfect transport would reach), and the raw
// radio (packets of the full MTU, no framing) measured in the same run.
import os from 'node:os'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2p } from 'libp2p'
import { ReliableLink, SimulatedRadio, ble, type RadioLink } from '@wesh/transport-ble'

const CAPACITY = 100_000 // bytes per second, the simulated radio's default
const LATENCY_MS = 10 // the default one-way latency
const BYTES = Number(process.env.BENCH_BYTES ?? 256 * 1024)
const MTUS = [23, 185, 512]
let devices = 0

async function radioPair(radio: SimulatedRadio): Promise<{ a: RadioLink; b: RadioLink }> {
  const alice = radio.createDevice(`a${++devices}`)
  const bob = radio.createDevice(`b${devices}`)
  await alice.start()
  await bob.start()
  await bob.advertise(new Uint8Array(0))
  const inbound = new Promise<RadioLink>((resolve) =>
    bob.addEventListener('link', (e) => resolve(e.detail), { once: true }),
  )
  const a = await alice.connect(bob.deviceId)
  return { a, b: await inbound }
}

/** Raw packets of the full size, no framing: what the simulated air itself delivers. */
async function rawGoodput(mtu: number): Promise<number> {
  const { a, b } = await radioPair(new SimulatedRadio({ mtu }))
  const packet = new Uint8Array(a.maxPacketBytes)
  const count = Math.ceil(BYTES / packet.length)
  let received = 0
  const done = new Promise<void>((resolve) =>
    b.addEventListener('packet', () => {
      if (++received === count) resolve()
    }),
  )
  const start = performance.now()
  let sent = 0
  const pump = (): void => {
    while (sent < count) {
      sent++
      if (!a.send(packet)) return
    }
  }
  a.addEventListener('drain', pump)
  pump()
  await done
  const seconds = (performance.now() - start) / 1000
  a.close()
  return (count * packet.length) / seconds
}

/** Frames through ReliableLink (fragmentation, sequence numbers, ACKs). */
async function linkGoodput(mtu: number): Promise<number> {
  const { a, b } = await radioPair(new SimulatedRadio({ mtu }))
  const sender = new ReliableLink(a)
  const receiver = new ReliableLink(b)
  let received = 0
  const done = new Promise<void>((resolve) =>
    receiver.addEventListener('frame', (e) => {
      received += e.detail.length
      if (received === BYTES) resolve()
    }),
  )
  const frame = new Uint8Array(4096)
  const start = performance.now()
  for (let offset = 0; offset < BYTES; offset += frame.length)
    if (!sender.write(frame.subarray(0, Math.min(frame.length, BYTES - offset))))
      await new Promise<void>((resolve) => sender.addEventListener('drain', () => resolve(), { once: true }))
  await done
  const seconds = (performance.now() - start) / 1000
  await sender.close()
  return BYTES / seconds
}

async function nodePair(mtu: number): Promise<{ dialer: Libp2p; listener: Libp2p; radio: SimulatedRadio }> {
  const radio = new SimulatedRadio({ mtu })
  const make = (id: string, listen: boolean) =>
    createLibp2p({
      addresses: { listen: listen ? [`/ble/${id}`] : [] },
      transports: [ble({ driver: radio.createDevice(id) })],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
    })
  return { radio, dialer: await make(`d${++devices}`, false), listener: await make(`l${devices}`, true) }
}

/** A libp2p stream (Noise + Yamux on top of the transport). */
async function streamGoodput(mtu: number): Promise<number> {
  const { dialer, listener } = await nodePair(mtu)
  let received = 0
  let finished: () => void = () => undefined
  const done = new Promise<void>((resolve) => {
    finished = resolve
  })
  await listener.handle('/bench/1', async (stream) => {
    for await (const chunk of stream) {
      received += chunk.byteLength
      if (received === BYTES) finished()
    }
  })
  const stream = await dialer.dialProtocol(listener.getMultiaddrs()[0]!, '/bench/1')
  const chunk = new Uint8Array(16 * 1024)
  const start = performance.now()
  for (let offset = 0; offset < BYTES; offset += chunk.length)
    if (!stream.send(chunk.subarray(0, Math.min(chunk.length, BYTES - offset))))
      await new Promise<void>((resolve) => stream.addEventListener('drain', () => resolve(), { once: true }))
  await done
  const seconds = (performance.now() - start) / 1000
  await dialer.stop()
  await listener.stop()
  return BYTES / seconds
}

/** Dial → upgraded connection (radio connect, Noise handshake, Yamux), median of five. */
async function setupTime(mtu: number): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < 5; i++) {
    const { dialer, listener } = await nodePair(mtu)
    const start = performance.now()
    await dialer.dial(listener.getMultiaddrs()[0]!)
    times.push(performance.now() - start)
    await dialer.stop()
    await listener.stop()
  }
  times.sort((x, y) => x - y)
  return times[2]!
}

const kB = (bytesPerSecond: number) => `${(bytesPerSecond / 1000).toFixed(1)} kB/s`
const pct = (bytesPerSecond: number) => `${((100 * bytesPerSecond) / CAPACITY).toFixed(0)}%`

const rows: string[] = []
for (const mtu of MTUS) {
  process.stderr.write(`MTU ${mtu}…\n`)
  const raw = await rawGoodput(mtu)
  const link = await linkGoodput(mtu)
  const stream = await streamGoodput(mtu)
  const setup = await setupTime(mtu)
  rows.push(
    `| ${mtu} | ${kB(CAPACITY)} | ${kB(raw)} (${pct(raw)}) | ${kB(link)} (${pct(link)}) | ${kB(stream)} (${pct(stream)}) | ${setup.toFixed(0)} ms |`,
  )
}
console.log(
  `## @wesh/transport-ble over the simulated radio\n\n${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; ` +
    `${BYTES / 1024} KiB per run, capacity ${kB(CAPACITY)} per direction, ${LATENCY_MS} ms one-way latency, no loss\n\n` +
    '| MTU | capacity (baseline) | raw radio packets | framed link (ReliableLink) | libp2p stream (Noise + Yamux) | connection set-up (median of 5) |\n' +
    '|---:|---:|---:|---:|---:|---:|\n' +
    rows.join('\n') +
    '\n',
)
