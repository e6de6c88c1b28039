import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { utf8ToBytes } from '@wesh/crypto'
import { serveStatic } from '@wesh/tooling/static-server'
import { waitForText } from './cast.js'
import type { Story } from './node-story.js'
import { check, type Timeline } from './timeline.js'

/** The web client's build, next to this app in the repository (`pnpm --filter @wesh/web build`). */
const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url))
/** Debian's `chromium` unless `CHROMIUM` names another build. */
const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium'
/** How long the page may take for one thing to show up; the step's own deadline bounds the whole. */
const PAGE_TIMEOUT_MS = 100_000

/**
 * The `--browser` step: a relay node (WebSockets and a circuit relay, as `wesh daemon --relay` runs) joins the
 * DHT, the built web client opens in headless Chromium with that relay as its only peer, creates an account, joins
 * "Weekend" by its invitation — it finds the members through the DHT, and they dial it at its relayed address —
 * then writes a message that Alice reads and reads Alice's answer.
 */
export async function browserJoins(story: Story, timeline: Timeline): Promise<void> {
  const { cast, alice, club, clubLink } = story
  if (!alice || !club || !clubLink) throw new Error('step 5 did not run')
  if (!existsSync(WEB_DIST))
    throw new Error(`no web client build in ${WEB_DIST}: pnpm --filter @wesh/web build`)
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM`)
  // Loaded here only: the default run needs neither Playwright nor a browser.
  const { chromium } = await import('playwright-core')
  const relay = await cast.node('Relay', { relay: true })
  const site = await serveStatic(WEB_DIST)
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  try {
    const address = relay.libp2p
      .getMultiaddrs()
      .map(String)
      .find((multiaddr) => multiaddr.includes('/ws/'))
    if (address === undefined) throw new Error('the relay listens on no WebSockets address')
    timeline.say('Relay', `a relay for web pages on ${address.replace(/\/p2p\/.*/, '')} (WebSockets)`)
    const page = await browser.newPage()
    page.setDefaultTimeout(PAGE_TIMEOUT_MS)
    const started = performance.now()
    await page.goto(`${site.url}?peer=${encodeURIComponent(address)}`)
    await page.getByTestId('name').fill('Eve')
    await page.getByTestId('create').click()
    await page.getByTestId('my-card').waitFor()
    timeline.say(
      'Eve',
      `opens the web client in Chromium: a new account in IndexedDB, connected to the relay`,
    )
    await page.getByTestId('group-link').fill(clubLink)
    await page.getByTestId('join-group').click()
    await page.getByRole('heading', { name: 'Weekend' }).waitFor()
    timeline.say('Eve', 'pastes the invitation: her page finds members through the DHT and shows "Weekend"')
    const aliceClub = await alice.account.group(club.group.publicKey)
    await aliceClub.waitFor((session) => session.state.members.size >= 5)
    timeline.say('Alice', `sees Eve join: ${aliceClub.state.members.size} members`)
    await page.getByTestId('members').locator('li').nth(4).waitFor()
    timeline.say('Eve', 'her page lists the 5 members')
    await page.getByTestId('message-text').fill('hello from a browser')
    await page.getByTestId('send').click()
    await waitForText(aliceClub, 'hello from a browser')
    timeline.say('Alice', 'reads "hello from a browser"')
    await aliceClub.send(utf8ToBytes('welcome Eve!'))
    const reply = page.getByTestId('messages').getByTestId('message').filter({ hasText: 'welcome Eve!' })
    await reply.waitFor()
    timeline.say(
      'Eve',
      `reads "welcome Eve!" in her page, ${((performance.now() - started) / 1000).toFixed(1)} s after it opened`,
    )
    check((await reply.count()) === 1, 'the page shows Alice’s answer')
  } finally {
    await browser.close()
    await site.close()
    await relay.stop()
  }
}
