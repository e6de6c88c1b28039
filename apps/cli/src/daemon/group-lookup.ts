import { WeshError, toHex } from '@wesh/crypto'
import { GroupsErrorCode } from '@wesh/groups'
import type { GroupSession, WeshAccount } from '@wesh/groups/node'
import { CliErrorCode, cliError } from '../errors.js'

/**
 * The group a person means by `reference`: its full ID, its name (any case), or a prefix of its ID in hex — in that
 * order, so a name that looks like hex still names its group. Throws `GROUP_UNKNOWN` or `AMBIGUOUS_GROUP`.
 */
export async function findGroup(account: WeshAccount, reference: string): Promise<GroupSession> {
  const wanted = reference.trim().toLowerCase()
  if (wanted === '') throw unknown(reference)
  const groups = await Promise.all(
    account.groups().map(async (group) => {
      const session = await account.group(group.publicKey)
      return { id: toHex(group.publicKey), name: session.state.name?.toLowerCase(), session }
    }),
  )
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
  throw unknown(reference)
}

function unknown(reference: string): WeshError {
  return new WeshError(GroupsErrorCode.GROUP_UNKNOWN, `no group "${reference}" in this account`, {
    data: { reference },
  })
}
