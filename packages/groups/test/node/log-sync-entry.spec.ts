import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as dagCbor from '@ipld/dag-cbor'
import type { Identity } from '@orbitdb/core'
import { ed25519KeyPair, isWeshError, randomBytes } from '@wesh/crypto'
import { CID } from 'multiformats/cid'
import { base58btc } from 'multiformats/bases/base58'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signEntry } from '../../src/index.js'
import { createLogAccessController } from '../../src/node/log-access-controller.js'
import { type LogEntryChecks, openSyncedBlock, verifySyncedEntry } from '../../src/node/log-sync-entry.js'
import {
  DEFAULT_ENTRY_SIGNATURE_ENGINE,
  nativeEntrySignatureVerifier,
} from '../../src/node/native-entry-signature.js'
import { PendingEntries } from '../../src/node/pending-entries.js'
import { linkKeyEncryption } from '../../src/node/replication-encryption.js'
import { createWeshNode, type WeshNode } from '../../src/node/wesh-node.js'

// Entries built as OrbitDB builds them (its Entry.create and Entry.encode with replication encryption), signed by
// a real OrbitDB identity, then changed one way each.
const ADDRESS = '/orbitdb/zdpuLog'
const groupKey = ed25519KeyPair()
const linkKey = randomBytes(32)
const encryption = linkKeyEncryption(linkKey)
let node: WeshNode
let directory: string
let writer: Identity
let checks: LogEntryChecks

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'wesh-log-sync-entry-'))
  node = await createWeshNode({
    directory,
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan' },
  })
  writer = await node.orbitdb.identities.createIdentity({ id: 'writer' })
  const access = await createLogAccessController({
    ipfs: node.helia,
    groupId: randomBytes(32),
    signPublicKey: groupKey.publicKey,
  })
  checks = {
    address: ADDRESS,
    decrypt: (sealed) => encryption.decrypt(sealed),
    access,
    verifySignature: nativeEntrySignatureVerifier(),
    pending: new PendingEntries(),
  }
})

afterAll(async () => {
  await node.stop()
  await rm(directory, { recursive: true, force: true })
})

interface Draft {
  id?: string
  value?: Uint8Array
  time?: number
  signedTime?: number
  key?: Uint8Array
}

/** An entry block as OrbitDB writes it, with the changes in `draft`. */
async function block(draft: Draft = {}): Promise<{ hash: string; bytes: Uint8Array }> {
  const payload = { op: 'ADD', key: null, value: draft.value ?? signEntry(groupKey.seed, randomBytes(40)) }
  const signed = { id: draft.id ?? ADDRESS, payload, next: [], refs: [], v: 2 }
  const clock = (time: number) => ({ id: writer.publicKey, time })
  const sig = await (
    writer as unknown as { sign(identity: Identity, data: Uint8Array): Promise<string> }
  ).sign(writer, dagCbor.encode({ ...signed, clock: clock(draft.signedTime ?? draft.time ?? 1) }))
  const entry = {
    ...signed,
    clock: clock(draft.time ?? 1),
    key: writer.publicKey,
    identity: writer.hash,
    sig,
  }
  const sealed = await linkKeyEncryption(draft.key ?? linkKey).encrypt(dagCbor.encode(entry))
  const bytes = dagCbor.encode(sealed)
  const hash = CID.create(1, dagCbor.code, await sha256.digest(bytes)).toString(base58btc)
  return { hash, bytes }
}

async function codeOf(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run()
    return undefined
  } catch (error) {
    return isWeshError(error) ? error.code : String(error)
  }
}

const openAndVerify = async ({ hash, bytes }: { hash: string; bytes: Uint8Array }) => {
  const synced = await openSyncedBlock(checks, hash, bytes, 'peer')
  await verifySyncedEntry(checks, synced, 'peer')
  return synced
}

describe('log-sync entry checks', () => {
  it('admits a genuine entry and records the access check for OrbitDB join', async () => {
    const genuine = await block()
    const { entry } = await openAndVerify(genuine)
    expect(entry.hash).toBe(genuine.hash)
    expect(entry.id).toBe(ADDRESS)
    expect(checks.pending.takeAdmitted(genuine.hash)).toBe(true)
    expect(checks.pending.takeAdmitted(genuine.hash)).toBe(false) // spent
  })

  it('refuses bytes that do not hash to the CID they came under', async () => {
    const genuine = await block()
    const other = await block()
    const flipped = Uint8Array.from(genuine.bytes)
    flipped[flipped.length - 1]! ^= 1
    expect(await codeOf(() => openAndVerify({ hash: genuine.hash, bytes: flipped }))).toBe(
      'LOG_SYNC_BLOCK_MISMATCH',
    )
    expect(await codeOf(() => openAndVerify({ hash: genuine.hash, bytes: other.bytes }))).toBe(
      'LOG_SYNC_BLOCK_MISMATCH',
    )
    expect(await codeOf(() => openAndVerify({ hash: 'not a cid', bytes: genuine.bytes }))).toBe(
      'LOG_SYNC_BLOCK_MISMATCH',
    )
  })

  it('refuses an entry of another log, sealed under another key, or not an entry', async () => {
    expect(await codeOf(async () => openAndVerify(await block({ id: '/orbitdb/zdpuOther' })))).toBe(
      'LOG_SYNC_WRONG_LOG',
    )
    expect(await codeOf(async () => openAndVerify(await block({ key: randomBytes(32) })))).toBe(
      'LOG_SYNC_WRONG_LOG',
    )
    const junk = dagCbor.encode(await encryption.encrypt(dagCbor.encode({ hello: 'world' })))
    const hash = CID.create(1, dagCbor.code, await sha256.digest(junk)).toString(base58btc)
    expect(await codeOf(() => openAndVerify({ hash, bytes: junk }))).toBe('LOG_SYNC_WRONG_LOG')
  })

  it('refuses an entry the access controller refuses or whose writer signature fails', async () => {
    const outsider = ed25519KeyPair()
    const refused = await block({ value: signEntry(outsider.seed, randomBytes(40)) })
    expect(await codeOf(() => openAndVerify(refused))).toBe('LOG_SYNC_FORGED_ENTRY')
    const resigned = await block({ time: 2, signedTime: 1 }) // the clock changed after signing
    expect(await codeOf(() => openAndVerify(resigned))).toBe('LOG_SYNC_FORGED_ENTRY')
    expect(checks.pending.takeAdmitted(refused.hash)).toBe(false)
  })
})

describe.each(['libsecp256k1', 'openssl'] as const)('native entry signature check (%s)', (engine) => {
  const orbitdb = (signature: string, publicKey: string, data: Uint8Array) =>
    writer.verify(signature, publicKey, data)
  const native = nativeEntrySignatureVerifier(engine)

  it('is the default where it loads, libsecp256k1 first', () => {
    expect(DEFAULT_ENTRY_SIGNATURE_ENGINE).toBe('libsecp256k1') // this machine has the prebuilt binding
  })

  it('accepts exactly what OrbitDB accepts, high-S signatures included', async () => {
    for (let i = 0; i < 20; i++) {
      const data = randomBytes(100)
      const signature = await (
        writer as unknown as { sign(id: Identity, d: Uint8Array): Promise<string> }
      ).sign(writer, data)
      const tampered = Uint8Array.from(data)
      tampered[0]! ^= 1
      const highS = toHighS(signature)
      for (const [sig, bytes] of [
        [signature, data],
        [signature, tampered],
        [highS, data],
        ['00', data],
      ] as const) {
        expect(await native(sig, writer.publicKey, bytes)).toBe(await orbitdb(sig, writer.publicKey, bytes))
      }
      expect(await native(signature, writer.publicKey, data)).toBe(true)
      expect(await native(highS, writer.publicKey, data)).toBe(false)
      expect(await native(signature, 'zz', data)).toBe(false)
      expect(await native(signature, `02${'00'.repeat(32)}`, data)).toBe(false) // not a point
      expect(await native(signature.slice(0, -2), writer.publicKey, data)).toBe(false) // cut short
    }
  })
})

/** The same ECDSA signature with s replaced by n - s: valid to OpenSSL, refused by OrbitDB (noble, low S). */
function toHighS(hex: string): string {
  const der = Buffer.from(hex, 'hex')
  const rLength = der[3]!
  const r = der.subarray(4, 4 + rLength)
  const s = BigInt(`0x${der.subarray(6 + rLength).toString('hex')}`)
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
  let highHex = (n - s).toString(16)
  if (highHex.length % 2) highHex = `0${highHex}`
  let high = Buffer.from(highHex, 'hex')
  if (high[0]! & 0x80) high = Buffer.concat([Buffer.of(0), high])
  const body = Buffer.concat([Buffer.of(0x02, r.length), r, Buffer.of(0x02, high.length), high])
  return Buffer.concat([Buffer.of(0x30, body.length), body]).toString('hex')
}
