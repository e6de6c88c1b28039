import { bytesToUtf8, toHex } from '@wesh/crypto'
import type { ContactState } from '@wesh/groups'
import type { WeshAccount } from '@wesh/groups/node'
import { CliErrorCode, cliError } from '../errors.js'

/** A contact's display name: the metadata of its card (what `wesh id` puts there), shown as text. */
export function contactName(contact: ContactState): string {
  return bytesToUtf8(contact.metadata)
}

/**
 * The contact a person means by `reference`: its full account ID, its display name (any case), or a prefix of its
 * account ID in hex — in that order, as for groups. Throws `CONTACT_UNKNOWN` or `AMBIGUOUS_CONTACT`.
 */
export function findContact(account: WeshAccount, reference: string): ContactState {
  const found = matchContact(account, reference)
  if (found === undefined) {
    throw cliError(CliErrorCode.CONTACT_UNKNOWN, `no contact "${reference}" in this account`, {
      data: { reference },
    })
  }
  return found
}

/** Same as `findContact`, but undefined when nothing matches (a group reference may name a contact, or not). */
export function matchContact(account: WeshAccount, reference: string): ContactState | undefined {
  const wanted = reference.trim().toLowerCase()
  if (wanted === '') return undefined
  const contacts = account.contacts().map((contact) => ({
    id: toHex(contact.accountId),
    name: contactName(contact).toLowerCase(),
    contact,
  }))
  const tiers = [
    contacts.filter((contact) => contact.id === wanted),
    contacts.filter((contact) => contact.name !== '' && contact.name === wanted),
    /^[0-9a-f]+$/.test(wanted) ? contacts.filter((contact) => contact.id.startsWith(wanted)) : [],
  ]
  for (const matches of tiers) {
    const [first, ...others] = matches
    if (first === undefined) continue
    if (others.length > 0) {
      throw cliError(CliErrorCode.AMBIGUOUS_CONTACT, `"${reference}" matches ${matches.length} contacts`, {
        data: { reference, matches: matches.map((contact) => contact.id) },
      })
    }
    return first.contact
  }
  return undefined
}
