import { toHex } from '@wesh/crypto'
import { invitationLink } from '@wesh/groups'
import type { GroupView, InvitationView } from '../../api/schema.js'
import type { Route } from '../../api/route.js'
import type { DaemonContext } from '../context.js'
import { findGroup } from '../group-lookup.js'
import { booleanField, optionalStringField, stringField } from '../request-fields.js'
import { groupView, selfMember } from '../views.js'

/** Multi-member groups: `wesh group create|invite|join|list|members`. */
export function groupRoutes({ account }: DaemonContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/groups',
      kind: 'json',
      async handle(): Promise<GroupView[]> {
        const sessions = await Promise.all(account.groups().map((group) => account.group(group.publicKey)))
        return sessions.map(groupView)
      },
    },
    {
      method: 'POST',
      path: '/v1/groups',
      kind: 'json',
      async handle({ body }): Promise<GroupView & { link: string }> {
        const name = optionalStringField(body, 'name')
        const session = await account.createGroup(name === undefined || name === '' ? {} : { name })
        await session.settled()
        return { ...groupView(session), link: invitationLink(session.group) }
      },
    },
    {
      method: 'POST',
      path: '/v1/groups/join',
      kind: 'json',
      async handle({ body, signal }): Promise<GroupView> {
        const session = await account.joinGroup(stringField(body, 'link'))
        // --wait: until another member's events reached us, so names, members and polls are there to show.
        if (booleanField(body, 'wait')) {
          await session.waitFor(
            (current) => [...current.state.members.keys()].some((member) => member !== selfMember(current)),
            { signal },
          )
        }
        return groupView(session)
      },
    },
    {
      method: 'GET',
      path: '/v1/groups/:group',
      kind: 'json',
      async handle({ params }): Promise<GroupView> {
        return groupView(await findGroup(account, params.group ?? ''))
      },
    },
    {
      method: 'GET',
      path: '/v1/groups/:group/invitation',
      kind: 'json',
      async handle({ params }): Promise<InvitationView> {
        const session = await findGroup(account, params.group ?? '')
        return {
          group: toHex(session.group.publicKey),
          name: session.state.name ?? null,
          link: invitationLink(session.group),
        }
      },
    },
  ]
}
