import { toHex } from '@wesh/crypto'
import { AccountKeys } from '@wesh/groups'
import { describe, expect, it, vi } from 'vitest'
import {
  ContactsErrorCode,
  KEY_FILE_SCRYPT_LOG_N,
  MAX_KEY_FILE_BYTES,
  MAX_KEY_FILE_SCRYPT_LOG_N,
  MIN_KEY_FILE_SCRYPT_LOG_N,
  MIN_PASSPHRASE_CHARS,
  exportAccountKeyFile,
  importAccountKeyFile,
} from '../src/index.js'
import { codeOf } from './helpers.js'

const PASSPHRASE = 'correct horse battery staple'
// The lowest accepted cost keeps these tests fast; one test runs the default.
const FAST = { logN: MIN_KEY_FILE_SCRYPT_LOG_N }

describe('account key files', () => {
  it('round-trips the account keys with the default cost, giving the new device a key of its own', async () => {
    const keys = AccountKeys.create()
    const file = await exportAccountKeyFile(keys, PASSPHRASE)
    expect(JSON.parse(file)).toMatchObject({
      v: 1,
      kdf: { name: 'scrypt', logN: KEY_FILE_SCRYPT_LOG_N, r: 8, p: 1 },
    })
    expect(file).not.toContain(Buffer.from(keys.accountSeed()).toString('base64'))
    const restored = await importAccountKeyFile(file, PASSPHRASE)
    expect(toHex(restored.accountId)).toBe(toHex(keys.accountId))
    expect(toHex(restored.aliasPublicKey)).toBe(toHex(keys.aliasPublicKey))
    expect(toHex(restored.publicRendezvousSeed())).toBe(toHex(keys.publicRendezvousSeed()))
    expect(toHex(restored.devicePublicKey)).not.toBe(toHex(keys.devicePublicKey))
  })

  it('refuses a wrong passphrase and an altered file with WRONG_PASSPHRASE', async () => {
    const file = await exportAccountKeyFile(AccountKeys.create(), PASSPHRASE, FAST)
    expect(await codeOf(importAccountKeyFile(file, PASSPHRASE + '!'))).toBe(
      ContactsErrorCode.WRONG_PASSPHRASE,
    )
    const parsed = JSON.parse(file) as { box: string; kdf: { logN: number } }
    const altered = { ...parsed, box: (parsed.box.startsWith('A') ? 'B' : 'A') + parsed.box.slice(1) }
    expect(await codeOf(importAccountKeyFile(JSON.stringify(altered), PASSPHRASE))).toBe(
      ContactsErrorCode.WRONG_PASSPHRASE,
    )
    const cheaper = { ...parsed, kdf: { ...parsed.kdf, logN: parsed.kdf.logN + 1 } }
    expect(await codeOf(importAccountKeyFile(JSON.stringify(cheaper), PASSPHRASE))).toBe(
      ContactsErrorCode.WRONG_PASSPHRASE,
    )
  })

  it(`accepts scrypt costs from 2^${MIN_KEY_FILE_SCRYPT_LOG_N} to 2^${MAX_KEY_FILE_SCRYPT_LOG_N} only`, async () => {
    const file = JSON.parse(await exportAccountKeyFile(AccountKeys.create(), PASSPHRASE, FAST)) as {
      kdf: Record<string, unknown>
    }
    const withKdf = (kdf: Record<string, unknown>) =>
      JSON.stringify({ ...file, kdf: { ...file.kdf, ...kdf } })
    expect(
      await codeOf(importAccountKeyFile(withKdf({ logN: MIN_KEY_FILE_SCRYPT_LOG_N - 1 }), PASSPHRASE)),
    ).toBe(ContactsErrorCode.INVALID_KEY_FILE)
    expect(
      await codeOf(importAccountKeyFile(withKdf({ logN: MAX_KEY_FILE_SCRYPT_LOG_N + 1 }), PASSPHRASE)),
    ).toBe(ContactsErrorCode.INVALID_KEY_FILE)
    expect(await codeOf(importAccountKeyFile(withKdf({ r: 1024 }), PASSPHRASE))).toBe(
      ContactsErrorCode.INVALID_KEY_FILE,
    )
    expect(
      await codeOf(
        exportAccountKeyFile(AccountKeys.create(), PASSPHRASE, { logN: MAX_KEY_FILE_SCRYPT_LOG_N + 1 }),
      ),
    ).toBe('INVALID_ARGUMENT')
  })

  it('refuses what is not a key file of this version', async () => {
    const file = JSON.parse(await exportAccountKeyFile(AccountKeys.create(), PASSPHRASE, FAST)) as Record<
      string,
      unknown
    >
    for (const text of [
      'not json',
      'null',
      JSON.stringify({ ...file, v: 2 }),
      JSON.stringify({ ...file, kind: 'other' }),
      JSON.stringify({ ...file, nonce: 'AAAA' }),
      JSON.stringify({ ...file, box: 42 }),
      'x'.repeat(MAX_KEY_FILE_BYTES + 1),
    ]) {
      expect(await codeOf(importAccountKeyFile(text, PASSPHRASE))).toBe(ContactsErrorCode.INVALID_KEY_FILE)
    }
    expect(
      await codeOf(exportAccountKeyFile(AccountKeys.create(), 'x'.repeat(MIN_PASSPHRASE_CHARS - 1))),
    ).toBe(ContactsErrorCode.INVALID_KEY_FILE)
  })
})

describe('key file without node:crypto (the browser path)', () => {
  it("opens a file sealed with Node's scrypt using @noble's, and the other way round", async () => {
    const keys = AccountKeys.create()
    const onNode = await exportAccountKeyFile(keys, PASSPHRASE, FAST)
    // What a browser sees: no process.getBuiltinModule, so key-file.ts falls back to @noble's scrypt.
    vi.resetModules()
    vi.stubGlobal('process', { ...process, getBuiltinModule: undefined })
    const browser = await import('../src/key-file.js').finally(() => vi.unstubAllGlobals())
    const restored = await browser.importAccountKeyFile(onNode, PASSPHRASE)
    expect(toHex(restored.accountId)).toBe(toHex(keys.accountId))
    const inBrowser = await browser.exportAccountKeyFile(keys, PASSPHRASE, FAST)
    expect(toHex((await importAccountKeyFile(inBrowser, PASSPHRASE)).accountId)).toBe(toHex(keys.accountId))
  })
})
