import {
  REDACTED,
  assertBytes,
  decodeBase64Field,
  ed25519PublicKey,
  erase,
  randomBytes,
  redactSecrets,
  toBase64,
  toHex,
} from '@wesh/crypto'
import { ACCOUNT_STATE_VERSION, KEY_BYTES } from './constants.js'
import { GroupsErrorCode, groupsError } from './errors.js'

/** Serialised account keys: JSON-safe, versioned, and secret. Without `deviceSeed` it is the part that moves to a new device. */
export interface AccountStateV1 {
  readonly v: 1
  readonly accountSeed: string
  readonly aliasSeed: string
  readonly publicRendezvousSeed: string
  readonly deviceSeed?: string
}

/**
 * The keys of one account on one device (PROTOCOL.md §1): the account key (its public key is the account ID),
 * the alias key ("account proof" key), the public rendezvous seed, and this device's own device key.
 * Seeds are kept private; the getters return copies. `JSON.stringify` and `util.inspect` show public keys only.
 */
export class AccountKeys {
  readonly #accountSeed: Uint8Array
  readonly #aliasSeed: Uint8Array
  readonly #deviceSeed: Uint8Array
  readonly #publicRendezvousSeed: Uint8Array
  /** The account ID: the account key's Ed25519 public key. */
  readonly accountId: Uint8Array
  /** The alias key's public key, shared with contacts. */
  readonly aliasPublicKey: Uint8Array
  /** This device's public key. */
  readonly devicePublicKey: Uint8Array

  private constructor(seeds: {
    accountSeed: Uint8Array
    aliasSeed: Uint8Array
    deviceSeed: Uint8Array
    publicRendezvousSeed: Uint8Array
  }) {
    this.#accountSeed = new Uint8Array(seeds.accountSeed)
    this.#aliasSeed = new Uint8Array(seeds.aliasSeed)
    this.#deviceSeed = new Uint8Array(seeds.deviceSeed)
    this.#publicRendezvousSeed = new Uint8Array(seeds.publicRendezvousSeed)
    this.accountId = ed25519PublicKey(this.#accountSeed)
    this.aliasPublicKey = ed25519PublicKey(this.#aliasSeed)
    this.devicePublicKey = ed25519PublicKey(this.#deviceSeed)
    redactSecrets(this, () => ({
      kind: 'AccountKeys',
      accountId: toHex(this.accountId),
      aliasPublicKey: toHex(this.aliasPublicKey),
      devicePublicKey: toHex(this.devicePublicKey),
      accountSeed: REDACTED,
      aliasSeed: REDACTED,
      deviceSeed: REDACTED,
      publicRendezvousSeed: REDACTED,
    }))
  }

  /** A new account with random keys and rendezvous seed, or with the given seeds (32 bytes each). */
  static create(
    seeds: {
      accountSeed?: Uint8Array
      aliasSeed?: Uint8Array
      deviceSeed?: Uint8Array
      publicRendezvousSeed?: Uint8Array
    } = {},
  ): AccountKeys {
    const {
      accountSeed = randomBytes(KEY_BYTES),
      aliasSeed = randomBytes(KEY_BYTES),
      deviceSeed = randomBytes(KEY_BYTES),
      publicRendezvousSeed = randomBytes(KEY_BYTES),
    } = seeds
    assertBytes(accountSeed, 'accountSeed', KEY_BYTES)
    assertBytes(aliasSeed, 'aliasSeed', KEY_BYTES)
    assertBytes(deviceSeed, 'deviceSeed', KEY_BYTES)
    assertBytes(publicRendezvousSeed, 'publicRendezvousSeed', KEY_BYTES)
    return new AccountKeys({ accountSeed, aliasSeed, deviceSeed, publicRendezvousSeed })
  }

  /**
   * Restores keys from {@link AccountKeys.exportState}. A state without `deviceSeed` (the account part moved to a
   * new device, §6.3) gets a fresh random device key. Throws `INVALID_ACCOUNT_STATE` when malformed.
   */
  static fromState(state: AccountStateV1): AccountKeys {
    if (typeof state !== 'object' || (state as unknown) === null) throw invalidState('state is not an object')
    const record = state as unknown as Record<string, unknown>
    if (record.v !== ACCOUNT_STATE_VERSION) throw invalidState(`unknown state version ${String(record.v)}`)
    const deviceSeed = record.deviceSeed === undefined ? randomBytes(KEY_BYTES) : seedOf(record, 'deviceSeed')
    return new AccountKeys({
      accountSeed: seedOf(record, 'accountSeed'),
      aliasSeed: seedOf(record, 'aliasSeed'),
      publicRendezvousSeed: seedOf(record, 'publicRendezvousSeed'),
      deviceSeed,
    })
  }

  /** The account key's seed. Secret: the caller erases the copy when done. */
  accountSeed(): Uint8Array {
    return new Uint8Array(this.#accountSeed)
  }

  /** The alias key's seed (the account group's secret). Secret. */
  aliasSeed(): Uint8Array {
    return new Uint8Array(this.#aliasSeed)
  }

  /** This device's key seed. Secret. */
  deviceSeed(): Uint8Array {
    return new Uint8Array(this.#deviceSeed)
  }

  /** The public rendezvous seed of the contact card. Share it only with people who may send contact requests. */
  publicRendezvousSeed(): Uint8Array {
    return new Uint8Array(this.#publicRendezvousSeed)
  }

  /** The same account with a new random rendezvous seed (§6.2: the old contact card stops working). */
  withRenewedRendezvousSeed(seed: Uint8Array = randomBytes(KEY_BYTES)): AccountKeys {
    assertBytes(seed, 'seed', KEY_BYTES)
    return new AccountKeys({
      accountSeed: this.#accountSeed,
      aliasSeed: this.#aliasSeed,
      deviceSeed: this.#deviceSeed,
      publicRendezvousSeed: seed,
    })
  }

  /**
   * Serialisable state, secrets included: store it encrypted. `{ device: false }` leaves out this device's key,
   * which is what moves to a newly linked device.
   */
  exportState(options: { device?: boolean } = {}): AccountStateV1 {
    const base = {
      v: ACCOUNT_STATE_VERSION,
      accountSeed: toBase64(this.#accountSeed),
      aliasSeed: toBase64(this.#aliasSeed),
      publicRendezvousSeed: toBase64(this.#publicRendezvousSeed),
    } as const
    return options.device === false ? base : { ...base, deviceSeed: toBase64(this.#deviceSeed) }
  }

  /** Erases every seed held here; the object must not be used afterwards. */
  destroy(): void {
    erase(this.#accountSeed, this.#aliasSeed, this.#deviceSeed, this.#publicRendezvousSeed)
  }
}

function seedOf(record: Record<string, unknown>, field: string): Uint8Array {
  return decodeBase64Field(record[field], field, KEY_BYTES, invalidState)
}

function invalidState(message: string, cause?: unknown) {
  return groupsError(GroupsErrorCode.INVALID_ACCOUNT_STATE, message, { cause })
}
