import { inspect } from 'node:util'
import { ed25519PublicKey, randomBytes, toBase64, toHex } from '@wesh/crypto'
import { describe, expect, it } from 'vitest'
import { AccountKeys, type AccountStateV1 } from '../src/index.js'
import { expectCode } from './helpers.js'

describe('AccountKeys', () => {
  it('creates an account, alias and device key and a 32-byte rendezvous seed', () => {
    const account = AccountKeys.create()
    expect(account.accountId).toEqual(ed25519PublicKey(account.accountSeed()))
    expect(account.aliasPublicKey).toEqual(ed25519PublicKey(account.aliasSeed()))
    expect(account.devicePublicKey).toEqual(ed25519PublicKey(account.deviceSeed()))
    expect(account.publicRendezvousSeed()).toHaveLength(32)
    expect(
      new Set([account.accountId, account.aliasPublicKey, account.devicePublicKey].map(toHex)).size,
    ).toBe(3)
  })

  it('restores the same keys from its exported state', () => {
    const account = AccountKeys.create()
    const restored = AccountKeys.fromState(
      JSON.parse(JSON.stringify(account.exportState())) as AccountStateV1,
    )
    expect(restored.accountId).toEqual(account.accountId)
    expect(restored.devicePublicKey).toEqual(account.devicePublicKey)
    expect(restored.publicRendezvousSeed()).toEqual(account.publicRendezvousSeed())
  })

  it('moves the account keys without the device key, and the new device gets its own', () => {
    const account = AccountKeys.create()
    const transfer = account.exportState({ device: false })
    expect(transfer).not.toHaveProperty('deviceSeed')
    const linked = AccountKeys.fromState(transfer)
    expect(linked.accountId).toEqual(account.accountId)
    expect(linked.aliasPublicKey).toEqual(account.aliasPublicKey)
    expect(linked.devicePublicKey).not.toEqual(account.devicePublicKey)
  })

  it('renews the rendezvous seed and keeps every key', () => {
    const account = AccountKeys.create()
    const renewed = account.withRenewedRendezvousSeed()
    expect(renewed.publicRendezvousSeed()).not.toEqual(account.publicRendezvousSeed())
    expect(renewed.accountId).toEqual(account.accountId)
  })

  it('never shows a secret in JSON or inspect output', () => {
    const account = AccountKeys.create()
    const secrets = [
      account.accountSeed(),
      account.aliasSeed(),
      account.deviceSeed(),
      account.publicRendezvousSeed(),
    ]
    for (const shown of [JSON.stringify(account), inspect(account, { depth: 5 })]) {
      for (const secret of secrets) {
        expect(shown).not.toContain(toHex(secret))
        expect(shown).not.toContain(toBase64(secret))
      }
    }
    expect(JSON.stringify(account)).toContain(toHex(account.accountId))
  })

  it('hands out copies of its seeds', () => {
    const account = AccountKeys.create()
    account.accountSeed().fill(0)
    expect(ed25519PublicKey(account.accountSeed())).toEqual(account.accountId)
  })

  it('erases its seeds on destroy', () => {
    const account = AccountKeys.create()
    account.destroy()
    expect(account.accountSeed()).toEqual(new Uint8Array(32))
  })

  it('rejects malformed states with INVALID_ACCOUNT_STATE', () => {
    const good = AccountKeys.create().exportState()
    const bad: unknown[] = [
      null,
      'x',
      { ...good, v: 2 },
      { ...good, accountSeed: 1 },
      { ...good, aliasSeed: 'not base64!' },
      { ...good, publicRendezvousSeed: toBase64(randomBytes(31)) },
      { ...good, deviceSeed: toBase64(randomBytes(33)) },
    ]
    for (const state of bad)
      expectCode(() => AccountKeys.fromState(state as AccountStateV1), 'INVALID_ACCOUNT_STATE')
  })

  it('checks the lengths of given seeds', () => {
    expectCode(() => AccountKeys.create({ accountSeed: new Uint8Array(31) }), 'INVALID_LENGTH')
    expectCode(() => AccountKeys.create().withRenewedRendezvousSeed(new Uint8Array(33)), 'INVALID_LENGTH')
  })
})
