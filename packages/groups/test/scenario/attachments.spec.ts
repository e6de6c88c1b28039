import { isWeshError, randomBytes } from '@wesh/crypto'
import { CID } from 'multiformats/cid'
import { afterEach, expect, it } from 'vitest'
import { GroupsErrorCode, MAX_ATTACHMENT_BYTES, sealAttachment } from '../../src/index.js'
import { cleanupDevices, connect, openContactGroup, startDevice, untilRead } from './helpers.js'

afterEach(cleanupDevices)
const code = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (isWeshError(error) ? error.code : String(error)),
  )

it('a member shares a file by CID; the other fetches it from the network and opens it; bytes stored are sealed', async () => {
  const alice = await startDevice()
  const bob = await startDevice()
  const aliceSession = await openContactGroup(alice, bob)
  const bobSession = await openContactGroup(bob, alice)
  await connect(alice, bob)

  const photo = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251) // several UnixFS blocks
  const cid = await aliceSession.addAttachment(photo)
  await aliceSession.send(new TextEncoder().encode(`photo ${cid}`))
  const [message] = await untilRead(bobSession, [`photo ${cid}`])
  const received = new TextDecoder().decode(message!.plaintext).slice('photo '.length)
  expect(await bobSession.attachment(received)).toEqual(photo)

  // What the block store holds is ciphertext: no 64-byte run of the file appears in it.
  const chunks: Uint8Array[] = []
  for await (const chunk of alice.node.unixfs.cat(CID.parse(cid))) chunks.push(chunk)
  const all = Buffer.concat(chunks)
  expect(all.length).toBe(photo.length + 40)
  expect(all.includes(Buffer.from(photo.subarray(1000, 1064)))).toBe(false)
})

it('refuses a malformed CID, a file sealed for another group, and a file over the limit', async () => {
  const alice = await startDevice()
  const bob = await startDevice()
  const session = await openContactGroup(alice, bob)
  expect(await code(session.attachment('not a cid'))).toBe('INVALID_ARGUMENT')
  const foreign = await alice.node.unixfs.addBytes(sealAttachment(randomBytes(32), new Uint8Array([1, 2, 3])))
  expect(await code(session.attachment(foreign.toString()))).toBe(GroupsErrorCode.DECRYPTION_FAILED)
  expect(() => sealAttachment(randomBytes(32), new Uint8Array(MAX_ATTACHMENT_BYTES + 1))).toThrow(
    expect.objectContaining({ code: GroupsErrorCode.MESSAGE_TOO_LARGE }),
  )
  expect(sealAttachment(randomBytes(32), new Uint8Array(MAX_ATTACHMENT_BYTES)).length).toBe(
    MAX_ATTACHMENT_BYTES + 40,
  )
})
