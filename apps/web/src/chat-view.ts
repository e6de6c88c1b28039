import { bytesToUtf8, toHex, utf8ToBytes } from '@wesh/crypto'
import type { GroupMessage, GroupSession } from '@wesh/groups/browser'
import { element } from './dom.js'
import { actionForm, run } from './screen.js'

/**
 * The messages of a group (a contact's or a multi-member one), oldest first, kept current until `signal` aborts,
 * and a form that sends. Messages are marked `self` or `peer`; in a group, `data-sender` is the sender's member ID.
 */
export function chatPanel(session: GroupSession, signal: AbortSignal): HTMLElement[] {
  const self = toHex(session.devicePublicKey)
  const list = element('ol', { class: 'messages', 'data-testid': 'messages' })
  const shown = new Set<string>()
  const show = (message: Pick<GroupMessage, 'id' | 'devicePk' | 'plaintext'>) => {
    if (shown.has(message.id)) return
    shown.add(message.id)
    const device = toHex(message.devicePk)
    const sender = session.state.deviceMembers.get(device) ?? ''
    list.append(
      element(
        'li',
        { class: device === self ? 'self' : 'peer', 'data-testid': 'message', 'data-sender': sender },
        [bytesToUtf8(message.plaintext)],
      ),
    )
  }
  // Subscribed before reading the history, so nothing falls between the two; `shown` drops the overlap.
  const updates = session.subscribe({ signal })
  run(async () => {
    for (const message of (await session.messages()).reverse()) show(message)
    for await (const message of updates) show(message)
  })
  const input = element('input', { placeholder: 'Message', 'data-testid': 'message-text', required: '' })
  const form = actionForm(
    [input],
    { label: 'Send', testId: 'send' },
    async () => {
      const text = input.value
      input.value = ''
      const id = await session.send(utf8ToBytes(text))
      show({ id, devicePk: session.devicePublicKey, plaintext: utf8ToBytes(text) })
    },
    'row',
  )
  queueMicrotask(() => {
    input.focus()
  })
  return [list, form]
}
