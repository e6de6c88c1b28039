import { toHex } from '@wesh/crypto'
import { afterEach, expect, it } from 'vitest'
import {
  ContactsErrorCode,
  DeviceLinking,
  LINK_CODE_TTL_MS,
  MAX_LINK_ATTEMPTS,
  linkDevice,
  parseLinkCode,
  receiveAccountKeys,
  linkCodeText,
} from '../../src/index.js'
import { codeOf } from '../helpers.js'
import { cleanupAll, nextEvent, onCleanup, startDevice, untilRead } from './helpers.js'

afterEach(cleanupAll)
const text = (value: string) => new TextEncoder().encode(value)

it('links a second device, which then sees every group and the messages written afterwards', async () => {
  const laptop = await startDevice()
  const onLaptop = await laptop.open()
  const family = await onLaptop.createGroup({ name: 'family' })
  await family.send(text('before the phone'))
  const club = await onLaptop.createGroup({ name: 'club' })
  const linking = await DeviceLinking.start({ account: onLaptop })
  onCleanup(() => linking.stop())
  const { text: code } = linking.createLinkCode()
  expect(code.startsWith('wesh://link/')).toBe(true)

  const phone = await startDevice()
  const done = nextEvent(linking, 'link:done')
  const onPhone = await linkDevice({ node: phone.node, secrets: phone.secrets, code })
  phone.account = onPhone
  await done
  expect(toHex(onPhone.accountId)).toBe(toHex(onLaptop.accountId))
  expect(toHex(onPhone.keys.devicePublicKey)).not.toBe(toHex(onLaptop.keys.devicePublicKey))

  // The link left the two devices connected: the phone reads the account group and joins both groups.
  await onPhone.waitFor((state) => state.groups.size === 2)
  const phoneFamily = await onPhone.group(family.group.publicKey)
  const phoneClub = await onPhone.group(club.group.publicKey)
  await phoneFamily.waitFor((session) => session.state.name === 'family')
  await untilRead(phoneFamily, 'before the phone')
  await family.send(text('after the phone joined'))
  await untilRead(phoneFamily, 'after the phone joined')
  await phoneClub.send(text('from the phone'))
  await untilRead(club, 'from the phone')
  expect(linking.openCodes).toBe(0) // spent
})

it('refuses a used code, a wrong secret and an expired code, transferring nothing', async () => {
  const laptop = await startDevice()
  const onLaptop = await laptop.open()
  let now = Date.now()
  const clock = {
    now: () => now,
    setTimeout,
    clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
  }
  const linking = await DeviceLinking.start({ account: onLaptop, clock })
  onCleanup(() => linking.stop())
  const phone = await startDevice()
  const libp2p = phone.node.libp2p

  // Used: works once.
  const once = linking.createLinkCode()
  expect(toHex((await receiveAccountKeys({ libp2p, code: once.text })).accountId)).toBe(
    toHex(onLaptop.accountId),
  )
  expect(await codeOf(receiveAccountKeys({ libp2p, code: once.text }))).toBe(ContactsErrorCode.LINK_REFUSED)

  // Wrong secret: refused; revoked after MAX_LINK_ATTEMPTS tries, so the right secret no longer works.
  const real = linking.createLinkCode()
  const forged = linkCodeText({ ...real.code, secret: new Uint8Array(32).fill(7) })
  const refused = nextEvent<{ error: { code: string } }>(linking, 'link:refused')
  expect(await codeOf(receiveAccountKeys({ libp2p, code: forged }))).toBe(ContactsErrorCode.LINK_REFUSED)
  expect((await refused).error.code).toBe(ContactsErrorCode.LINK_REFUSED)
  for (let attempt = 2; attempt <= MAX_LINK_ATTEMPTS; attempt++) {
    expect(await codeOf(receiveAccountKeys({ libp2p, code: forged }))).toBe(ContactsErrorCode.LINK_REFUSED)
  }
  expect(await codeOf(receiveAccountKeys({ libp2p, code: real.text }))).toBe(ContactsErrorCode.LINK_REFUSED)

  // Expired: the existing device refuses it even if the new device's clock says otherwise.
  const late = linking.createLinkCode()
  now += LINK_CODE_TTL_MS
  expect(await codeOf(receiveAccountKeys({ libp2p, code: late.text, clock }))).toBe(
    ContactsErrorCode.LINK_CODE_EXPIRED,
  )
  expect(
    await codeOf(
      receiveAccountKeys({ libp2p, code: late.text, clock: { ...clock, now: () => now - LINK_CODE_TTL_MS } }),
    ),
  ).toBe(ContactsErrorCode.LINK_REFUSED)

  expect(await codeOf(receiveAccountKeys({ libp2p, code: 'wesh://link/AAAA' }))).toBe(
    ContactsErrorCode.INVALID_LINK_CODE,
  )
  expect(parseLinkCode(late.text).expiresAt).toBe(late.code.expiresAt)
  expect(onLaptop.state.groups.size).toBe(0)
})
