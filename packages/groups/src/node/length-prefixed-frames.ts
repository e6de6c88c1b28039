import { WeshError } from '@wesh/crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { GroupsErrorCode } from '../errors.js'

const LENGTH_BYTES = 4

/** One frame: the length as 4 bytes big-endian, then the bytes. Throws `MESSAGE_TOO_LARGE` beyond `max`. */
export function frame(bytes: Uint8Array | Uint8ArrayList, max: number, message: string): Uint8ArrayList {
  if (bytes.byteLength > max) throw tooLarge(message, max, bytes.byteLength)
  const length = new Uint8Array(LENGTH_BYTES)
  new DataView(length.buffer).setUint32(0, bytes.byteLength)
  return new Uint8ArrayList(length, bytes)
}

/**
 * The messages in a framed byte stream, however its chunks are cut. Throws `MESSAGE_TOO_LARGE` on a length over
 * `max` (before buffering it) and `MALFORMED_MESSAGE` when the stream ends inside a frame.
 */
export async function* unframe(
  chunks: AsyncIterable<Uint8Array | Uint8ArrayList>,
  max: number,
  message: string,
): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8ArrayList()
  for await (const chunk of chunks) {
    buffer.append(chunk)
    while (buffer.byteLength >= LENGTH_BYTES) {
      const length = buffer.getUint32(0)
      if (length > max) throw tooLarge(message, max, length)
      if (buffer.byteLength < LENGTH_BYTES + length) break
      yield buffer.subarray(LENGTH_BYTES, LENGTH_BYTES + length)
      buffer.consume(LENGTH_BYTES + length)
    }
  }
  if (buffer.byteLength > 0) {
    throw new WeshError(GroupsErrorCode.MALFORMED_MESSAGE, `the stream ended inside a ${message} frame`, {
      data: { message, buffered: buffer.byteLength },
    })
  }
}

function tooLarge(message: string, max: number, actual: number): WeshError {
  return new WeshError(GroupsErrorCode.MESSAGE_TOO_LARGE, `a ${message} frame is over its limit`, {
    data: { message, max, actual },
  })
}
