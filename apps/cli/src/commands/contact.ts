import type { Command } from 'commander'
import type { ContactView, IdView } from '../api/schema.js'
import { shortId, table } from '../text-format.js'
import { withSpinner } from '../spinner.js'
import { daemonContext, segment, valueOrStdin } from './context.js'
import { withTimeout } from './timeout.js'

/** How a contact reads in a list: status in words, blocked marked. */
function contactRows(contacts: readonly ContactView[]): string[] {
  return table([
    ['ACCOUNT', 'NAME', 'STATUS'],
    ...contacts.map((contact) => [
      shortId(contact.accountId),
      contact.name,
      `${contact.status}${contact.blocked ? ', blocked' : ''}`,
    ]),
  ])
}

function contactLine(contact: ContactView): string {
  return `${contact.name || shortId(contact.accountId)} (${shortId(contact.accountId)}): ${contact.status}${
    contact.blocked ? ', blocked' : ''
  }`
}

export function registerContact(program: Command): void {
  const contact = program
    .command('contact')
    .description('contacts: requests through rendezvous points; <contact> is a name or an account ID prefix')

  contact
    .command('add')
    .description('ask someone to become your contact, from their card (`-` reads it from standard input)')
    .argument('<link>', 'wesh://contact/… card (what `wesh id` prints on their side), or -')
    .action(async (value: string, _options: unknown, command: Command) => {
      const { output, client } = await daemonContext(command)
      const link = (await valueOrStdin(value)).trim()
      const added = await client.post<ContactView>('/v1/contacts', { link })
      output.result(added, (view) => [
        contactLine(view),
        'the request is delivered in the background, as soon as they can be found; you can write to them already',
      ])
    })

  contact
    .command('requests')
    .description('list the contact requests waiting for your answer')
    .option('--wait', 'wait until at least one request is there')
    .option('--timeout <seconds>', 'give up waiting after this long', '60')
    .action(async (options: { wait?: boolean; timeout: string }, command: Command) => {
      const { output, client } = await daemonContext(command)
      const contacts = options.wait
        ? await withSpinner(output, 'waiting for a contact request', () =>
            withTimeout(options.timeout, command, (signal) =>
              client.get<ContactView[]>('/v1/contacts?request=wait', { signal }),
            ),
          )
        : await client.get<ContactView[]>('/v1/contacts')
      output.result(
        contacts.filter((view) => view.status === 'incoming-received'),
        (waiting) =>
          waiting.length === 0
            ? 'no requests waiting'
            : [...contactRows(waiting), 'answer with `wesh contact accept|discard|block <contact>`'],
      )
    })

  contact
    .command('list')
    .description('list your contacts and requests, with their status')
    .action(async (_options: unknown, command: Command) => {
      const { output, client } = await daemonContext(command)
      output.result(await client.get<ContactView[]>('/v1/contacts'), (contacts) =>
        contacts.length === 0 ? 'no contacts yet: `wesh contact add <card>`' : contactRows(contacts),
      )
    })

  const actions = {
    accept: 'accept a contact request: you can then write to each other',
    discard: 'discard a contact request (they can ask again)',
    block: 'block an account: its requests are refused, on every device of yours',
    unblock: 'unblock an account',
  } as const
  for (const [action, description] of Object.entries(actions)) {
    contact
      .command(action)
      .description(description)
      .argument('<contact>', 'name or account ID prefix')
      .action(async (reference: string, _options: unknown, command: Command) => {
        const { output, client } = await daemonContext(command)
        const view = await client.post<ContactView>(`/v1/contacts/${segment(reference)}/${action}`, {})
        output.result(view, contactLine)
      })
  }

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    contact
      .command(action)
      .description(
        enabled
          ? 'take contact requests: your card (`wesh id`) can be found'
          : 'stop taking contact requests: your card leads nowhere until `wesh contact enable`',
      )
      .action(async (_options: unknown, command: Command) => {
        const { output, client } = await daemonContext(command)
        const id = await client.post<IdView>('/v1/contact-requests', { enabled })
        output.result(id, (view) =>
          view.contactRequests ? 'taking contact requests' : 'not taking contact requests',
        )
      })
  }
}
