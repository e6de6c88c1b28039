import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumPath } from './chromium.js'
import { LiveWesh, wesh, weshJson } from './processes.js'
import { serveStatic } from '@wesh/tooling/static-server'

const dist = fileURLToPath(new URL('../dist', import.meta.url))
/** Set to a directory to save screenshots of the main screens there (apps/web/docs/ in the README). */
const screenshots = process.env['WESH_WEB_SCREENSHOTS']
const viewport = { width: 720, height: 900 }

interface Ready {
  event: 'ready'
  peerId: string
  addresses: string[]
}

describe('the web client in Chromium with a wesh daemon on loopback', () => {
  let root: string
  let profile: string
  let daemon: LiveWesh | undefined
  let daemonAddress: string
  let site: Awaited<ReturnType<typeof serveStatic>> | undefined
  let browser: Browser | undefined
  let page: Page
  const env = () => ({ XDG_DATA_HOME: join(root, 'xdg'), WESH_PROFILE: '' })
  const on = () => ['--profile', profile]
  const pageErrors: string[] = []

  const shot = async (name: string, of: Page = page) => {
    if (screenshots) await of.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true })
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'wesh-web-'))
    profile = join(root, 'daemon')
    await weshJson(['init', '--name', 'Nodie', ...on()], env())
    daemon = new LiveWesh(
      [
        'daemon',
        ...on(),
        '--listen',
        '/ip4/127.0.0.1/tcp/0/ws',
        '--no-mdns',
        '--dht',
        'lan',
        '--relay',
        '--json',
      ],
      env(),
    )
    const ready = JSON.parse(await daemon.line((line) => line.includes('"ready"'))) as Ready
    daemonAddress = ready.addresses.find((address) => address.includes('/ws/')) as string
    site = await serveStatic(dist)
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      // Root in a container has no user namespaces for Chromium's sandbox; the page is our own build.
      args: ['--no-sandbox'],
    })
    page = await browser.newPage({ viewport })
    // Locators wait on the DOM; this bounds how long, on 2 busy cores.
    page.setDefaultTimeout(120_000)
    page.on('pageerror', (error) => pageErrors.push(error.message))
  })

  afterAll(async () => {
    await browser?.close()
    await site?.close()
    expect(await daemon?.stop()).toBe(0)
    await rm(root, { recursive: true, force: true })
  })

  /** The page, reached at `?peer=` the daemon's WebSockets address. */
  const open = () => page.goto(`${site!.url}?peer=${encodeURIComponent(daemonAddress)}`)
  const messages = () => page.getByTestId('messages').getByTestId('message')
  const statusText = () => page.getByTestId('status').textContent()
  /** Back to the home screen from a chat or a group, where the previous test left the page. */
  const home = async () => {
    if ((await page.locator('[data-screen="home"]').count()) === 0) await page.getByTestId('back').click()
    await page.locator('[data-screen="home"]').waitFor()
  }

  it('creates an account in the page, connected to the daemon over WebSockets', async () => {
    const started = performance.now()
    await open()
    await page.getByTestId('name').waitFor()
    await shot('1-create-account')
    await page.getByTestId('name').fill('Webby')
    await page.getByTestId('create').click()
    await page.getByTestId('my-card').waitFor()
    await page.locator('[data-peers="1"]').waitFor()
    expect(await page.getByTestId('my-card').inputValue()).toMatch(/^wesh:\/\/contact\//)
    console.log(`account created and connected in ${Math.round(performance.now() - started)} ms`)
  })

  it('sends a contact request that the daemon accepts, then both sides chat', async () => {
    const started = performance.now()
    const { link } = await weshJson<{ link: string }>(['id', ...on()], env())
    await page.getByTestId('contact-link').fill(link)
    await page.getByTestId('add-contact').click()
    const requests = await weshJson<{ name: string }[]>(
      ['contact', 'requests', '--wait', '--timeout', '150', ...on()],
      env(),
    )
    expect(requests.map((request) => request.name)).toEqual(['Webby'])
    await weshJson(['contact', 'accept', 'Webby', ...on()], env())
    const nodie = page.locator('[data-contact="Nodie"][data-status="outgoing-sent"]')
    await nodie.waitFor()
    await shot('2-home')
    await nodie.getByTestId('chat').click()
    await page.getByTestId('message-text').fill('hello from Chromium')
    await page.getByTestId('send').click()

    const reader = new LiveWesh(['read', 'Webby', '--follow', '--json', ...on()], env())
    await reader.line((line) => line.includes('"hello from Chromium"'))
    console.log(
      `first message from the page read on the daemon ${Math.round(performance.now() - started)} ms after the request was sent`,
    )
    expect(await reader.stop()).toBe(0)
    const sent = performance.now()
    expect((await wesh(['send', 'Webby', 'hello from Node', ...on()], env())).code).toBe(0)
    await messages().filter({ hasText: 'hello from Node' }).waitFor()
    console.log(
      `message from the daemon on screen ${Math.round(performance.now() - sent)} ms after \`wesh send\` began`,
    )
    expect(await messages().allTextContents()).toEqual(['hello from Chromium', 'hello from Node'])
    expect(await messages().evaluateAll((items) => items.map((item) => item.getAttribute('class')))).toEqual([
      'self',
      'peer',
    ])
    await shot('3-chat')
  })

  it('keeps the account, the contact and the history in IndexedDB across a reload', async () => {
    await page.getByTestId('back').click()
    const before = await page.getByTestId('my-card').inputValue()
    const started = performance.now()
    await page.reload()
    await page.locator('[data-contact="Nodie"]').getByTestId('chat').click()
    await messages().filter({ hasText: 'hello from Node' }).waitFor()
    console.log(`history on screen ${Math.round(performance.now() - started)} ms after the reload`)
    expect(await messages().allTextContents()).toEqual(['hello from Chromium', 'hello from Node'])
    await page.getByTestId('back').click()
    expect(await page.getByTestId('my-card').inputValue()).toBe(before)
    // Still connected and still writing: a message after the reload reaches the daemon.
    await page.locator('[data-peers="1"]').waitFor()
    await page.locator('[data-contact="Nodie"]').getByTestId('chat').click()
    await page.getByTestId('message-text').fill('back after a reload')
    await page.getByTestId('send').click()
    const reader = new LiveWesh(['read', 'Webby', '--follow', '--json', ...on()], env())
    await reader.line((line) => line.includes('"back after a reload"'))
    expect(await reader.stop()).toBe(0)
    expect(pageErrors).toEqual([])
  })

  it('shows the WeshError code of a malformed card and stays usable', async () => {
    await page.getByTestId('back').click()
    await page.getByTestId('contact-link').fill('wesh://contact/not-a-card')
    await page.getByTestId('add-contact').click()
    await page.locator('[data-error]').waitFor()
    expect(await statusText()).toMatch(/^INVALID_CONTACT_CARD: /)
    expect(await page.getByTestId('contacts').locator('li').count()).toBe(1)
    // The next action that succeeds clears the error.
    await page.getByTestId('contact-link').fill('')
    await page.locator('[data-contact="Nodie"]').getByTestId('chat').click()
    await page.getByTestId('messages').waitFor()
    expect(await page.locator('[data-error]').count()).toBe(0)
  })

  it('takes a contact request from a daemon that reaches the page only through the relay, and both chat', async () => {
    // Dora's daemon knows Nodie, not the page: it finds the page's rendezvous point on the DHT and dials the page
    // at the relayed address the page holds on Nodie (`--relay`).
    const dora = join(root, 'dora')
    await weshJson(['init', '--name', 'Dora', '--profile', dora], env())
    const doraDaemon = new LiveWesh(
      [
        'daemon',
        '--profile',
        dora,
        '--listen',
        '/ip4/127.0.0.1/tcp/0',
        '--no-mdns',
        '--dht',
        'lan',
        '--json',
      ].concat('--bootstrap', daemonAddress),
      env(),
    )
    try {
      await home()
      await doraDaemon.line((line) => line.includes('"ready"'))
      const started = performance.now()
      const card = await page.getByTestId('my-card').inputValue()
      await weshJson(['contact', 'add', card, '--profile', dora], env())
      const request = page.locator('[data-contact="Dora"][data-status="incoming-received"]')
      await request.waitFor()
      console.log(
        `request from a daemon on the page's screen ${Math.round(performance.now() - started)} ms after \`wesh contact add\``,
      )
      await shot('4-request')
      await request.getByTestId('accept').click()
      await page.locator('[data-contact="Dora"][data-status="accepted"]').getByTestId('chat').click()
      await page.getByTestId('message-text').fill('hello Dora, through the relay')
      await page.getByTestId('send').click()
      const reader = new LiveWesh(['read', 'Webby', '--follow', '--json', '--profile', dora], env())
      await reader.line((line) => line.includes('"hello Dora, through the relay"'))
      expect(await reader.stop()).toBe(0)
      expect((await wesh(['send', 'Webby', 'hello Webby, from Dora', '--profile', dora], env())).code).toBe(0)
      await messages().filter({ hasText: 'hello Webby, from Dora' }).waitFor()
      const connections = await weshJson<{ connections: { peer: string; address: string }[] }>(
        ['status', '--profile', dora],
        env(),
      )
      // The page is reached through the relay: Dora's connection to it is a relayed one.
      expect(connections.connections.some((connection) => connection.address.includes('/p2p-circuit'))).toBe(
        true,
      )
      await page.getByTestId('back').click()
    } finally {
      expect(await doraDaemon.stop()).toBe(0)
    }
    expect(pageErrors).toEqual([])
  })

  it("joins the daemon's group by its invitation, chats in it, and votes in the daemon's poll", async () => {
    const created = await weshJson<{ link: string }>(['group', 'create', 'Club', ...on()], env())
    const { link } = await weshJson<{ link: string }>(['group', 'invite', 'Club', ...on()], env())
    expect(link).toBe(created.link)
    await home()
    const started = performance.now()
    await page.getByTestId('group-link').fill(link)
    await page.getByTestId('join-group').click()
    expect(await page.getByTestId('invitation').inputValue()).toBe(link)
    // The name and the daemon's membership come from the group's log, synced from the daemon.
    await page.getByRole('heading', { name: 'Club' }).waitFor()
    await page.getByTestId('members').locator('li').nth(1).waitFor()
    console.log(
      `group joined, its name and members on screen in ${Math.round(performance.now() - started)} ms`,
    )
    expect(await page.getByTestId('members').locator('li', { hasText: '(you)' }).count()).toBe(1)
    expect(await page.getByTestId('members').locator('li', { hasText: 'admin' }).count()).toBe(1)

    await page.getByTestId('message-text').fill('hello Club from Chromium')
    await page.getByTestId('send').click()
    const reader = new LiveWesh(['read', 'Club', '--follow', '--json', ...on()], env())
    await reader.line((line) => line.includes('"hello Club from Chromium"'))
    expect(await reader.stop()).toBe(0)
    expect((await wesh(['send', 'Club', 'hello Chromium from Nodie', ...on()], env())).code).toBe(0)
    await messages().filter({ hasText: 'hello Chromium from Nodie' }).waitFor()
    expect(await messages().allTextContents()).toEqual([
      'hello Club from Chromium',
      'hello Chromium from Nodie',
    ])

    const poll = await weshJson<{ id: string }>(
      ['poll', 'create', 'Club', 'Lunch?', 'pizza', 'sushi', ...on()],
      env(),
    )
    await weshJson(['poll', 'vote', 'Club', poll.id, 'pizza', ...on()], env())
    const lunch = page.locator('[data-poll="Lunch?"]')
    await lunch.locator('[data-option="pizza"][data-votes="1"]').waitFor()
    await lunch.locator('[data-option="sushi"]').getByTestId('vote').click()
    await page
      .locator('[data-poll="Lunch?"][data-voters="2"] [data-option="sushi"][data-votes="1"]')
      .waitFor()
    const tally = await weshJson<{ options: { text: string; votes: number }[]; voters: number }>(
      ['poll', 'show', 'Club', poll.id, '--voters', '2', '--timeout', '150', ...on()],
      env(),
    )
    expect(tally.options).toEqual([
      { text: 'pizza', votes: 1 },
      { text: 'sushi', votes: 1 },
    ])
    await shot('5-group')
    await page.getByTestId('back').click()
    await page.locator('[data-group="Club"]').waitFor()
    expect(pageErrors).toEqual([])
  })

  it("links a second browser as a device of the daemon's account, which then shows its contacts and groups", async () => {
    const linking = new LiveWesh(['device', 'link', '--json', ...on()], env())
    const { link } = JSON.parse(await linking.line((line) => line.includes('"code"'))) as { link: string }
    // Another browser profile: its own IndexedDB, no account yet.
    const context = await browser!.newContext({ viewport })
    try {
      const second = await context.newPage()
      second.setDefaultTimeout(120_000)
      const secondErrors: string[] = []
      second.on('pageerror', (error) => secondErrors.push(error.message))
      await second.goto(`${site!.url}?peer=${encodeURIComponent(daemonAddress)}`)
      await second.getByTestId('link-code').fill('wesh://link/not-a-code')
      await second.getByTestId('link-device').click()
      await second.locator('[data-error="INVALID_LINK_CODE"]').waitFor()
      const started = performance.now()
      await second.getByTestId('link-name').fill('Nodie in Chromium')
      await second.getByTestId('link-code').fill(link)
      await second.getByTestId('link-device').click()
      await linking.line((line) => line.includes('"linked"'))
      expect(await linking.exited()).toBe(0) // `wesh device link` ends once a device used its code
      // The account group arrives from the daemon: the contacts and groups of the account, on the new device.
      await second.locator('[data-contact="Webby"][data-status="accepted"]').waitFor()
      await second.locator('[data-group="Club"]').waitFor()
      expect(await second.getByTestId('contacts').locator('li').count()).toBe(1) // Dora is Webby's, not Nodie's
      console.log(`linked, contacts and groups on screen in ${Math.round(performance.now() - started)} ms`)
      await shot('6-linked-device', second)
      expect(secondErrors).toEqual([])
    } finally {
      await linking.stop()
      await context.close()
    }
  })
})
