import { WeshError, toHex } from '@wesh/crypto'
import { GroupsErrorCode, isActiveContact } from '@wesh/groups'
import type { GroupSession, WeshAccount } from '@wesh/groups/node'
import { CliErrorCode, cliError } from '../errors.js'
import { contactName, matchContact } from './contact-lookup.js'

/**
 * The group a person means by `reference`: its full ID, its name (any case), or a prefix of its ID in hex — in that
 * order, so a name that looks like hex still names its group. The group shared with a contact counts too, named by
 * the contact's name or account ID. Throws `GROUP_UNKNOWN`, `AMBIGUOUS_GROUP` or `AMBIGUOUS_CONTACT`.
 */
export async function findGroup(account: WeshAccount, reference: string): Promise<GroupSession> {
  const wanted = reference.trim().toLowerCase()
  if (wanted === '') throw unknown(reference)
  const groups = await Promise.all([
    ...account.groups().map(async (group) => {
      const session = await account.group(group.publicKey)
      return { id: toHex(group.publicKey), name: session.state.name?.toLowerCase(), session }
    }),
    // A contact's group (PROTOCOL.md §4.2) is named by the contact's display name.
    ...account
      .contacts()
      .filter(isActiveContact)
      .map(async (contact) => {
        const session = await account.group(contact.accountId)
        const name = contactName(contact).toLowerCase()
        return { id: toHex(session.group.publicKey), name: name === '' ? undefined : name, session }
      }),
  ])
  const tiers = [
    groups.filter((group) => group.id === wanted),
    groups.filter((group) => group.name === wanted),
    /^[0-9a-f]+$/.test(wanted) ? groups.filter((group) => group.id.startsWith(wanted)) : [],
  ]
  for (const matches of tiers) {
    const [first, ...others] = matches
    if (first === undefined) continue
    if (others.length > 0) {
      throw cliError(CliErrorCode.AMBIGUOUS_GROUP, `"${reference}" matches ${matches.length} groups`, {
        data: { reference, matches: matches.map((group) => group.id) },
      })
    }
    return first.session
  }
  // Last, a contact by its account ID (or a prefix of it): the group shared with that contact.
  const contact = matchContact(account, reference)
  if (contact !== undefined && isActiveContact(contact)) return account.group(contact.accountId)
  throw unknown(reference)
}

function unknown(reference: string): WeshError {
  return new WeshError(GroupsErrorCode.GROUP_UNKNOWN, `no group "${reference}" in this account`, {
    data: { reference },
  })
}
