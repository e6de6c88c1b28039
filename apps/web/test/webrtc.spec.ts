import { mkdtemp, rm } from 'node:fs/promises'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumPath } from './chromium.js'
import { LiveWesh, weshJson } from './processes.js'
import { serveStatic } from '@wesh/tooling/static-server'

const dist = fileURLToPath(new URL('../dist', import.meta.url))
/** The addresses of this machine's interfaces, loopback included. */
const ownAddresses = Object.values(networkInterfaces()).flatMap((addresses) =>
  (addresses ?? []).map((address) => address.address),
)

/**
 * Keeps WebRTC on 127.0.0.1. Chromium offers ICE candidates on every interface of the machine (with loopback only
 * under --allow-loopback-in-peer-connection and a media permission, see the README); the page drops every remote
 * candidate that is not 127.0.0.1, so connectivity checks are sent to loopback only. It also keeps the page's peer
 * connections, for the test to read their selected candidate pair.
 */
function loopbackOnlyWebRtc(): void {
  const connections: RTCPeerConnection[] = []
  Object.assign(window, { weshPeerConnections: connections })
  const Native = window.RTCPeerConnection
  type AddIceCandidate = (this: RTCPeerConnection, candidate?: RTCIceCandidateInit) => Promise<void>
  const addIceCandidate = Object.getOwnPropertyDescriptor(Native.prototype, 'addIceCandidate')
    ?.value as AddIceCandidate
  const loopbackOnly: AddIceCandidate = function (candidate) {
    const fields = candidate?.candidate?.split(' ') ?? []
    // `candidate:<foundation> <component> <protocol> <priority> <address> <port> typ …`; empty ends the list.
    if (fields.length > 4 && fields[4] !== '127.0.0.1') return Promise.resolve()
    return addIceCandidate.call(this, candidate)
  }
  Object.defineProperty(Native.prototype, 'addIceCandidate', { value: loopbackOnly })
  window.RTCPeerConnection = class extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(configuration)
      connections.push(this)
    }
  }
}

/** The local and remote addresses of the candidate pairs in use, over all of the page's peer connections. */
function selectedCandidatePairs(page: Page): Promise<{ local: string; remote: string; servers: number }[]> {
  return page.evaluate(async () => {
    const connections = (window as unknown as { weshPeerConnections: RTCPeerConnection[] })
      .weshPeerConnections
    const pairs: { local: string; remote: string; servers: number }[] = []
    // Chromium reports the address of a peer-reflexive candidate as empty.
    const shown = (address: string | undefined) =>
      address === undefined || address === '' ? '(hidden)' : address
    for (const connection of connections) {
      if (connection.connectionState !== 'connected') continue
      // A map of reports by id (this tsconfig has no DOM.Iterable, which types RTCStatsReport's map methods).
      const stats = (await connection.getStats()) as unknown as Map<
        string,
        Record<string, string | undefined>
      >
      stats.forEach((report) => {
        if (report.type !== 'transport' || report.selectedCandidatePairId === undefined) return
        const pair = stats.get(report.selectedCandidatePairId) as {
          localCandidateId: string
          remoteCandidateId: string
        }
        const local = stats.get(pair.localCandidateId) as { address?: string; candidateType: string }
        const remote = stats.get(pair.remoteCandidateId) as { address?: string; candidateType: string }
        pairs.push({
          local: `${local['candidateType']} ${shown(local['address'])}`,
          remote: `${remote['candidateType']} ${shown(remote['address'])}`,
          servers: connection.getConfiguration().iceServers?.length ?? 0,
        })
      })
    }
    return pairs
  })
}

describe('two pages in Chromium connected through the same `wesh daemon --relay`', () => {
  let root: string
  let daemon: LiveWesh | undefined
  let daemonAddress: string
  let relayPeer: string
  let site: Awaited<ReturnType<typeof serveStatic>> | undefined
  let browser: Browser | undefined
  const contexts: BrowserContext[] = []
  const pages: Page[] = []
  const pageErrors: string[] = []
  const env = () => ({ XDG_DATA_HOME: join(root, 'xdg'), WESH_PROFILE: '' })

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'wesh-webrtc-'))
    const profile = join(root, 'relay')
    await weshJson(['init', '--name', 'Relay', '--profile', profile], env())
    daemon = new LiveWesh(
      [
        'daemon',
        '--profile',
        profile,
        '--listen',
        '/ip4/127.0.0.1/tcp/0/ws',
        '--no-mdns',
        '--dht',
        'lan',
      ].concat('--relay', '--json'),
      env(),
    )
    const ready = JSON.parse(await daemon.line((line) => line.includes('"ready"'))) as {
      peerId: string
      addresses: string[]
    }
    relayPeer = ready.peerId
    daemonAddress = ready.addresses.find((address) => address.includes('/ws/')) as string
    site = await serveStatic(dist)
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      // Loopback ICE candidates exist only with this switch (and a media permission, below).
      args: ['--no-sandbox', '--allow-loopback-in-peer-connection'],
    })
    for (const name of ['Ada', 'Bea']) {
      // Two browser profiles: each its own IndexedDB, account and libp2p node.
      const context = await browser.newContext()
      // With a media permission Chromium gathers candidates on every interface, loopback included, and shows
      // them as addresses instead of mDNS names; no camera or microphone is opened.
      await context.grantPermissions(['microphone'])
      await context.addInitScript(loopbackOnlyWebRtc)
      const page = await context.newPage()
      page.setDefaultTimeout(120_000)
      page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`))
      await page.goto(`${site.url}?peer=${encodeURIComponent(daemonAddress)}`)
      await page.getByTestId('name').fill(name)
      await page.getByTestId('create').click()
      await page.getByTestId('my-card').waitFor()
      await page.locator('[data-peers="1"]').waitFor()
      contexts.push(context)
      pages.push(page)
    }
  })

  afterAll(async () => {
    for (const context of contexts) await context.close()
    await browser?.close()
    await site?.close()
    expect(await daemon?.stop()).toBe(0)
    await rm(root, { recursive: true, force: true })
  })

  it('exchange a contact request and messages over a direct WebRTC connection on 127.0.0.1', async () => {
    const [ada, bea] = pages as [Page, Page]
    const started = performance.now()
    await ada.getByTestId('contact-link').fill(await bea.getByTestId('my-card').inputValue())
    await ada.getByTestId('add-contact').click()
    const request = bea.locator('[data-contact="Ada"][data-status="incoming-received"]')
    await request.waitFor()
    console.log(`contact request from page to page in ${Math.round(performance.now() - started)} ms`)
    await request.getByTestId('accept').click()
    await bea.locator('[data-contact="Ada"][data-status="accepted"]').getByTestId('chat').click()
    await bea.getByTestId('message-text').fill('hello Ada, from Bea')
    await bea.getByTestId('send').click()
    await ada.locator('[data-contact="Bea"][data-status="outgoing-sent"]').getByTestId('chat').click()
    await ada
      .getByTestId('messages')
      .getByTestId('message')
      .filter({ hasText: 'hello Ada, from Bea' })
      .waitFor()
    await ada.getByTestId('message-text').fill('hello Bea, from Ada')
    await ada.getByTestId('send').click()
    await bea
      .getByTestId('messages')
      .getByTestId('message')
      .filter({ hasText: 'hello Bea, from Ada' })
      .waitFor()
    console.log(
      `contact request, acceptance and two messages in ${Math.round(performance.now() - started)} ms`,
    )

    const webRtcPeers: string[] = []
    for (const page of [ada, bea]) {
      // Each page holds one WebRTC connection, signalled through the relay: the dialling page sees the remote
      // address `/ip4/127.0.0.1/tcp/…/ws/p2p/<relay>/p2p-circuit/webrtc/p2p/<other page>`, the other one
      // `/webrtc/p2p/<dialling page>`.
      await page.locator('[data-webrtc="1"]').waitFor()
      const addresses = (await page.getByTestId('status').getAttribute('title'))?.split('\n') ?? []
      const webRtc = addresses.filter((address) => /\/webrtc\/p2p\/\w+$/.test(address))
      expect(webRtc, addresses.join(', ')).toHaveLength(1)
      webRtcPeers.push(webRtc[0]!.split('/').pop()!)
      // No STUN or TURN server, and the ICE pair in use joins two addresses of this machine, which the kernel
      // carries over its loopback device: the remote candidate is 127.0.0.1 (the only kind the page takes), the
      // local one 127.0.0.1 or another of the machine's own addresses, on which Chromium also gathers.
      const pairs = await selectedCandidatePairs(page)
      console.log(`WebRTC connection ${webRtc[0]}, ICE candidate pairs in use ${JSON.stringify(pairs)}`)
      expect(pairs.length).toBeGreaterThan(0)
      for (const pair of pairs) {
        expect(pair.servers).toBe(0)
        expect(ownAddresses).toContain(pair.local.replace(/^host /, ''))
        // A peer-reflexive candidate (learnt from a connectivity check) has its address hidden by Chromium.
        expect(['host 127.0.0.1', 'prflx (hidden)']).toContain(pair.remote)
      }
    }
    // Two pages, each connected over WebRTC to a peer that is neither itself nor the relay: to the other page.
    expect(new Set([...webRtcPeers, relayPeer]).size).toBe(3)
    expect(pageErrors).toEqual([])
  })
})
