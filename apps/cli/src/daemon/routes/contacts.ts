import { toHex, utf8ToBytes } from '@wesh/crypto'
import { type ContactState, ContactStatus, isActiveContact, parseContactCardLink } from '@wesh/groups'
import type { WeshAccount } from '@wesh/groups/node'
import type { ContactView, IdView } from '../../api/schema.js'
import type { Route } from '../../api/route.js'
import { CliErrorCode, cliError } from '../../errors.js'
import type { DaemonContext } from '../context.js'
import { contactName, findContact } from '../contact-lookup.js'
import { booleanField, stringField } from '../request-fields.js'
import { idView } from './account.js'

const INCOMING: string = ContactStatus.INCOMING_RECEIVED

/** What a person can do to a contact, and the account method (one account-group event) each runs. */
const ACTIONS = {
  accept: (account: WeshAccount, id: Uint8Array) => account.acceptContactRequest(id),
  discard: (account: WeshAccount, id: Uint8Array) => account.discardContactRequest(id),
  block: (account: WeshAccount, id: Uint8Array) => account.blockContact(id),
  unblock: (account: WeshAccount, id: Uint8Array) => account.unblockContact(id),
} as const

async function contactView(account: WeshAccount, contact: ContactState): Promise<ContactView> {
  const group = isActiveContact(contact) ? await account.group(contact.accountId) : undefined
  return {
    accountId: toHex(contact.accountId),
    name: contactName(contact),
    status: contact.status,
    blocked: account.isBlocked(contact.accountId),
    group: group === undefined ? null : toHex(group.group.publicKey),
  }
}

/** Contacts: `wesh contact add|requests|list|accept|discard|block|unblock|enable|disable`, `wesh id --renew`. */
export function contactRoutes({ account, contacts, config }: DaemonContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/contacts',
      kind: 'json',
      async handle({ query, signal }): Promise<ContactView[]> {
        // ?request=wait: until a contact request waits for an answer (`wesh contact requests --wait`).
        if (query.get('request') === 'wait') {
          await account.waitFor(
            (state) => [...state.contacts.values()].some((contact) => contact.status === INCOMING),
            { signal },
          )
        }
        return Promise.all(account.contacts().map((contact) => contactView(account, contact)))
      },
    },
    {
      method: 'POST',
      path: '/v1/contacts',
      kind: 'json',
      async handle({ body }): Promise<ContactView> {
        const card = parseContactCardLink(stringField(body, 'link').trim())
        // Our name goes along as our card's metadata: it is what the other side will call us.
        await contacts.send(card, utf8ToBytes(config.name))
        await account.accountGroup.settled()
        return contactView(account, findContact(account, toHex(card.accountId)))
      },
    },
    {
      method: 'POST',
      path: '/v1/contacts/:contact/:action',
      kind: 'json',
      async handle({ params }): Promise<ContactView> {
        const action = params.action ?? ''
        if (!Object.hasOwn(ACTIONS, action)) {
          throw cliError(CliErrorCode.NOT_FOUND, `no contact action "${action}"`, { data: { action } })
        }
        const contact = findContact(account, params.contact ?? '')
        await ACTIONS[action as keyof typeof ACTIONS](account, contact.accountId)
        await account.accountGroup.settled()
        return contactView(account, findContact(account, toHex(contact.accountId)))
      },
    },
    {
      method: 'POST',
      path: '/v1/contact-requests',
      kind: 'json',
      async handle({ body }): Promise<IdView> {
        if (booleanField(body, 'enabled')) await account.enableContactRequests()
        else await account.disableContactRequests()
        await account.accountGroup.settled()
        return idView(account, config)
      },
    },
    {
      method: 'POST',
      path: '/v1/id/renew',
      kind: 'json',
      async handle(): Promise<IdView> {
        // PROTOCOL.md §6.2: cards made before no longer find us; the service withdraws the old point.
        await account.resetRendezvousSeed()
        await account.accountGroup.settled()
        return idView(account, config)
      },
    },
  ]
}
