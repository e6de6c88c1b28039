import { qrSvg } from '@wesh/contacts'
import { toHex } from '@wesh/crypto'
import { invitationLink, tallyPoll, type PollState } from '@wesh/groups'
import type { GroupSession } from '@wesh/groups/browser'
import { chatPanel } from './chat-view.js'
import { element } from './dom.js'
import { actionForm, followUpdates, run, showScreen } from './screen.js'

/** A member ID as shown: its first 12 hex digits, as `wesh group members` prints them. */
const shortId = (id: string) => id.slice(0, 12)

/** Our member ID in the group, once the log says which member this device belongs to. */
function selfMember(session: GroupSession): string | undefined {
  return session.state.deviceMembers.get(toHex(session.devicePublicKey))
}

/**
 * A multi-member group: its invitation (link and QR code), its members, its polls (create, vote, tally) and its
 * chat. Members and polls follow the group's log until the screen is left.
 */
export function showGroup(session: GroupSession, back: () => void): void {
  const link = invitationLink(session.group)
  const qr = element('div', { class: 'qr' })
  void qrSvg(link).then((svg) => (qr.innerHTML = svg))
  const members = element('ul', { class: 'members', 'data-testid': 'members' })
  const polls = element('div', { 'data-testid': 'polls' })
  const title = element('h2', {}, [])
  const render = () => {
    title.textContent = session.state.name ?? `Group ${shortId(toHex(session.group.publicKey))}`
    const self = selfMember(session)
    members.replaceChildren(
      ...[...session.state.members.keys()].map((id) =>
        element('li', { 'data-member': id }, [
          shortId(id),
          ...(id === self ? [' (you)'] : []),
          ...(session.state.admins.has(id) ? [' · admin'] : []),
        ]),
      ),
    )
    polls.replaceChildren(...[...session.state.polls.values()].map((poll) => pollCard(session, poll, render)))
  }
  const question = element('input', { placeholder: 'Question', 'data-testid': 'poll-question', required: '' })
  const options = element('textarea', {
    rows: '3',
    placeholder: 'One option a line',
    'data-testid': 'poll-options',
    required: '',
  })
  const newPoll = actionForm(
    [question, options],
    { label: 'Create poll', testId: 'create-poll' },
    async () => {
      const lines = options.value
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '')
      await session.createPoll(question.value.trim(), lines)
      question.value = ''
      options.value = ''
      await session.settled()
      render()
    },
  )
  const backButton = element('button', { 'data-testid': 'back' }, ['← Home'])
  backButton.addEventListener('click', back)
  showScreen('group', (signal) => {
    void followUpdates(session, signal, render)
    return [
      element('section', {}, [backButton, title]),
      element('section', { class: 'columns' }, [
        element('div', {}, [
          element('h3', {}, ['Invitation']),
          element('p', {}, ['Whoever has this link or code can join the group and read it.']),
          qr,
          element('textarea', { rows: '3', readonly: '', 'data-testid': 'invitation' }, [link]),
        ]),
        element('div', {}, [element('h3', {}, ['Members']), members]),
      ]),
      element('section', {}, [element('h3', {}, ['Polls']), polls, newPoll]),
      element('section', {}, [element('h3', {}, ['Chat']), ...chatPanel(session, signal)]),
    ]
  })
  render()
}

/** One poll: each option with its vote count and a Vote button; our vote is marked. */
function pollCard(session: GroupSession, poll: PollState, rerender: () => void): HTMLElement {
  const { counts, voters } = tallyPoll(poll)
  const self = selfMember(session)
  const mine = self === undefined ? undefined : poll.votes.get(self)
  return element('div', { class: 'poll', 'data-poll': poll.question, 'data-voters': String(voters) }, [
    element('strong', {}, [poll.question]),
    element('span', { class: 'status' }, [` ${voters} voter(s)`]),
    element(
      'ul',
      {},
      poll.options.map((text, index) => {
        const vote = element('button', { 'data-testid': 'vote' }, [mine === index ? 'Voted' : 'Vote'])
        if (mine === index) vote.setAttribute('disabled', '')
        vote.addEventListener('click', () => {
          run(async () => {
            await session.vote(poll.pollId, index)
            await session.settled()
            rerender()
          })
        })
        return element('li', { 'data-option': text, 'data-votes': String(counts[index] ?? 0) }, [
          element('span', {}, [text]),
          element('span', { class: 'count' }, [String(counts[index] ?? 0)]),
          vote,
        ])
      }),
    ),
  ])
}
