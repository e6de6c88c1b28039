import { fromHex, open, toHex } from '@wesh/crypto'
import { describe, expect, it } from 'vitest'
import { linkKeys, linkTranscript } from '../src/index.js'
import vectors from './vectors/device-link.json' with { type: 'json' }

describe('device-link vectors from an independent implementation (tooling/vectors/contacts.py)', () => {
  for (const vector of vectors.vectors) {
    it(vector.name, () => {
      const transcript = linkTranscript({
        codeId: fromHex(vector.codeId),
        existingPeer: fromHex(vector.existingPeer),
        newPeer: fromHex(vector.newPeer),
        newNonce: fromHex(vector.newNonce),
        existingNonce: fromHex(vector.existingNonce),
      })
      expect(toHex(transcript)).toBe(vector.transcript)
      const keys = linkKeys(fromHex(vector.secret), transcript)
      expect(toHex(keys.newDeviceProof)).toBe(vector.newDeviceProof)
      expect(toHex(keys.existingDeviceProof)).toBe(vector.existingDeviceProof)
      expect(toHex(keys.accountKey)).toBe(vector.accountKey)
      expect(toHex(open(keys.accountKey, new Uint8Array(24), fromHex(vector.sealedAccount)))).toBe(
        vector.state,
      )
    })
  }
})
