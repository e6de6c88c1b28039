import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import type { CryptoBackend } from './backend.js'
import { pureSha256Mac } from './sha256-hmac.js'

/**
 * Pure-JavaScript primitives: audited @noble for the curves, our allocation-free SHA-256 for HMAC and HKDF.
 * Runs everywhere, including browsers.
 */
export const pureBackend: CryptoBackend = {
  name: 'pure',
  ...pureSha256Mac,
  ed25519PublicKey: (seed) => ed25519.getPublicKey(seed),
  ed25519Sign: (seed, message) => ed25519.sign(message, seed),
  ed25519SigningKey(seed) {
    const secret = new Uint8Array(seed)
    return { sign: (message) => ed25519.sign(message, secret), destroy: () => secret.fill(0) }
  },
  ed25519Verify(publicKey, message, signature) {
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false })
    } catch {
      return false
    }
  },
  x25519PublicKey: (secretKey) => x25519.getPublicKey(secretKey),
  x25519(secretKey, publicKey) {
    try {
      return x25519.getSharedSecret(secretKey, publicKey)
    } catch {
      return undefined // noble refuses the all-zero output
    }
  },
}
