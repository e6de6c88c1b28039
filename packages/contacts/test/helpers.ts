import type { Stream } from '@libp2p/interface'
import { lpStream, streamPair } from '@libp2p/utils'
import { isWeshError } from '@wesh/crypto'

/** The code of the `WeshError` a promise rejects with, `'resolved'`, or the non-Wesh error's text. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'resolved'
  } catch (error) {
    return isWeshError(error) ? error.code : `not a WeshError: ${String(error)}`
  }
}

export const text = (value: string): Uint8Array => new TextEncoder().encode(value)

/** Two ends of an in-memory libp2p stream; `peer` reads and writes raw length-prefixed frames on the outbound end. */
export async function framedPair(): Promise<{
  outbound: Stream
  inbound: Stream
  peer: { write(frame: Uint8Array): Promise<void>; read(): Promise<Uint8Array>; raw(bytes: Uint8Array): void }
}> {
  const [outbound, inbound] = await streamPair()
  const lp = lpStream(outbound, { maxDataLength: 1 << 20 })
  return {
    outbound,
    inbound,
    peer: {
      write: (frame) => lp.write(frame),
      read: async () => (await lp.read()).subarray(),
      raw: (bytes) => {
        outbound.send(bytes)
      },
    },
  }
}
