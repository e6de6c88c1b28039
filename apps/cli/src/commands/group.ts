import type { Command } from 'commander'
import type { GroupView, InvitationView } from '../api/schema.js'
import { terminalQr } from '../qr.js'
import { withSpinner } from '../spinner.js'
import { groupLabel, shortId, table } from '../text-format.js'
import { daemonContext, segment, valueOrStdin } from './context.js'
import { withTimeout } from './timeout.js'

export function registerGroup(program: Command): void {
  const group = program
    .command('group')
    .description('multi-member groups; <group> is a name or a prefix of the group ID')

  group
    .command('create')
    .description('create a group and print its invitation link')
    .argument('[name]', 'the group name members see')
    .action(async (name: string | undefined, _options: unknown, command: Command) => {
      const { output, client } = await daemonContext(command)
      const created = await client.post<GroupView & { link: string }>('/v1/groups', { name: name ?? '' })
      output.result(created, (view) => [
        `created ${groupLabel(view)}`,
        `id ${view.id}`,
        `invite: ${view.link}`,
      ])
    })

  group
    .command('invite')
    .description('show the invitation link of a group, and its QR code')
    .argument('<group>', 'group name or ID prefix')
    .option('--no-qr', 'print the link only')
    .action(async (reference: string, options: { qr: boolean }, command: Command) => {
      const { output, client } = await daemonContext(command)
      const invitation = await client.get<InvitationView>(`/v1/groups/${segment(reference)}/invitation`)
      const qr = options.qr && !output.json ? await terminalQr(invitation.link) : ''
      output.result(invitation, (view) => [...(qr ? [qr] : []), view.link])
    })

  group
    .command('join')
    .description('join a group from its invitation link (`-` reads it from standard input)')
    .argument('<link>', 'wesh://group/… link, or -')
    .option('--wait', "wait until another member's events arrived (names, members, polls)")
    .option('--timeout <seconds>', 'give up waiting after this long', '60')
    .action(async (value: string, options: { wait?: boolean; timeout: string }, command: Command) => {
      const { output, client } = await daemonContext(command)
      const link = (await valueOrStdin(value)).trim()
      const wait = options.wait === true
      const joined = await withSpinner(output, wait ? 'joining, waiting for other members' : 'joining', () =>
        withTimeout(options.timeout, command, (signal) =>
          client.post<GroupView>('/v1/groups/join', { link, wait }, { signal }),
        ),
      )
      output.result(joined, (view) => `joined ${groupLabel(view)}, ${view.members.length} member(s) known`)
    })

  group
    .command('list')
    .description('list your groups')
    .action(async (_options: unknown, command: Command) => {
      const { output, client } = await daemonContext(command)
      output.result(await client.get<GroupView[]>('/v1/groups'), (groups) =>
        groups.length === 0
          ? 'no groups yet: `wesh group create <name>` or `wesh group join <link>`'
          : table([
              ['ID', 'NAME', 'MEMBERS', 'POLLS'],
              ...groups.map((view) => [
                shortId(view.id),
                view.name ?? '',
                String(view.members.length),
                String(view.polls),
              ]),
            ]),
      )
    })

  group
    .command('members')
    .description('list the members of a group and their devices')
    .argument('<group>', 'group name or ID prefix')
    .action(async (reference: string, _options: unknown, command: Command) => {
      const { output, client } = await daemonContext(command)
      const view = await client.get<GroupView>(`/v1/groups/${segment(reference)}`)
      output.result(view.members, (members) => [
        groupLabel(view),
        ...table([
          ['MEMBER', 'DEVICES', ''],
          ...members.map((member) => [
            shortId(member.id),
            String(member.devices.length),
            [member.self ? 'you' : '', member.admin ? 'admin' : ''].filter(Boolean).join(', '),
          ]),
        ]),
      ])
    })
}
