import { qrSvg } from '@wesh/contacts'
import { bytesToUtf8, toHex, utf8ToBytes } from '@wesh/crypto'
import { ContactStatus, contactCardLink, isActiveContact, type ContactState } from '@wesh/groups'
import { chatPanel } from './chat-view.js'
import { element } from './dom.js'
import { showGroup } from './group-view.js'
import { actionForm, followUpdates, onErrorCleared, run, showScreen, status } from './screen.js'
import { type WeshClient, openSecrets, startWeshClient, storedDisplayName } from './wesh-client.js'

/** Node peers to dial, from `?peer=<multiaddr>` (repeatable) or, once given, from the last visit. */
const PEERS_KEY = 'wesh-web/peers'

function peersToDial(): string[] {
  const fromUrl = new URLSearchParams(location.search).getAll('peer')
  if (fromUrl.length > 0) localStorage.setItem(PEERS_KEY, JSON.stringify(fromUrl))
  return fromUrl.length > 0 ? fromUrl : (JSON.parse(localStorage.getItem(PEERS_KEY) ?? '[]') as string[])
}

async function boot(): Promise<void> {
  const secrets = await openSecrets()
  const peers = peersToDial()
  const name = await storedDisplayName(secrets)
  if (name !== undefined) {
    showHome(await start({ secrets, peers }))
    return
  }
  status.textContent = 'no account yet'
  const input = element('input', { placeholder: 'Your name', 'data-testid': 'name', required: '' })
  const form = actionForm([input], { label: 'Create account', testId: 'create' }, async () => {
    form.querySelector('button')?.setAttribute('disabled', '')
    showHome(await start({ secrets, peers, newName: input.value.trim() }))
  })
  const linkName = element('input', { placeholder: 'Your name on this device', 'data-testid': 'link-name' })
  const code = element('textarea', {
    rows: '3',
    placeholder: 'wesh://link/…',
    'data-testid': 'link-code',
    required: '',
  })
  const link = actionForm(
    [linkName, code],
    { label: 'Link this browser', testId: 'link-device' },
    async () => {
      status.textContent = 'receiving the account from your other device…'
      showHome(await start({ secrets, peers, newName: linkName.value.trim(), linkCode: code.value.trim() }))
    },
  )
  showScreen('create-account', () => [
    element('section', {}, [
      element('h2', {}, ['Create your account']),
      element('p', {}, ['Your keys stay in this browser (IndexedDB). Nobody else holds them.']),
      form,
    ]),
    element('section', {}, [
      element('h2', {}, ['Or link to an existing account']),
      element('p', {}, [
        'On a device of your account, run ',
        element('code', {}, ['wesh device link']),
        ' and paste its code here: this browser becomes one more device of that account, with its contacts and groups.',
      ]),
      link,
    ]),
  ])
}

async function start(options: Parameters<typeof startWeshClient>[0]): Promise<WeshClient> {
  status.textContent = 'starting node…'
  const client = await startWeshClient(options)
  const { libp2p } = client.node
  const showPeers = () => {
    const connections = libp2p.getConnections()
    // Other browsers reached directly: WebRTC, signalled through a relay (its address ends in /webrtc/p2p/…).
    const webRtc = new Set(
      connections
        .filter((connection) => connection.remoteAddr.toString().includes('/webrtc/'))
        .map((connection) => connection.remotePeer.toString()),
    )
    status.dataset['peers'] = String(libp2p.getPeers().length)
    status.dataset['webrtc'] = String(webRtc.size)
    status.title = connections.map((connection) => connection.remoteAddr.toString()).join('\n')
    if (status.dataset['error'] === undefined)
      status.textContent =
        `${client.displayName} · ${libp2p.getPeers().length} peer(s) connected` +
        (webRtc.size > 0 ? `, ${webRtc.size} over WebRTC` : '')
  }
  onErrorCleared(showPeers)
  for (const event of ['peer:connect', 'peer:disconnect', 'connection:open', 'connection:close'] as const)
    libp2p.addEventListener(event, showPeers)
  showPeers()
  window.addEventListener('pagehide', () => void client.stop())
  return client
}

function showHome(client: WeshClient): void {
  const { account, contacts } = client
  const link = contactCardLink(account.contactCard(utf8ToBytes(client.displayName)))
  const qr = element('div', { class: 'qr' })
  void qrSvg(link).then((svg) => (qr.innerHTML = svg))
  const paste = element('textarea', {
    rows: '3',
    placeholder: 'wesh://contact/…',
    'data-testid': 'contact-link',
  })
  const addForm = actionForm([paste], { label: 'Send request', testId: 'add-contact' }, async () => {
    await contacts.send(paste.value.trim(), utf8ToBytes(client.displayName))
    paste.value = ''
  })
  const groupName = element('input', { placeholder: 'Group name', 'data-testid': 'group-name' })
  const createGroup = actionForm(
    [groupName],
    { label: 'Create group', testId: 'create-group' },
    async () => {
      const name = groupName.value.trim()
      const session = await account.createGroup(name === '' ? {} : { name })
      await session.settled()
      showGroup(session, () => {
        showHome(client)
      })
    },
    'row',
  )
  const invitation = element('textarea', {
    rows: '3',
    placeholder: 'wesh://group/…',
    'data-testid': 'group-link',
  })
  const joinGroup = actionForm([invitation], { label: 'Join group', testId: 'join-group' }, async () => {
    const session = await account.joinGroup(invitation.value.trim())
    showGroup(session, () => {
      showHome(client)
    })
  })
  const contactList = element('ul', { class: 'contacts', 'data-testid': 'contacts' })
  const groupList = element('ul', { class: 'contacts', 'data-testid': 'groups' })
  showScreen('home', (signal) => {
    // Each render's group rows follow their group's log until the next render or until the screen is left.
    let rows = new AbortController()
    const render = () => {
      contactList.replaceChildren(...account.contacts().map((contact) => contactRow(client, contact)))
      rows.abort()
      rows = new AbortController()
      const rowsSignal = AbortSignal.any([signal, rows.signal])
      run(async () => {
        groupList.replaceChildren(...(await groupRows(client, rowsSignal)))
      })
    }
    render()
    void followUpdates(account.accountGroup, signal, render)
    return [
      element('section', {}, [
        element('h2', {}, ['Your contact card']),
        element('p', {}, ['Show the code, or give the link to someone who uses Wesh.']),
        qr,
        element('textarea', { rows: '3', readonly: '', 'data-testid': 'my-card' }, [link]),
      ]),
      element('section', {}, [element('h2', {}, ['Add a contact']), addForm]),
      element('section', {}, [element('h2', {}, ['Contacts']), contactList]),
      element('section', {}, [element('h2', {}, ['Groups']), groupList, createGroup, joinGroup]),
    ]
  })
}

const STATUS_TEXT: Record<ContactStatus, string> = {
  [ContactStatus.OUTGOING_ENQUEUED]: 'request waiting to be delivered',
  [ContactStatus.OUTGOING_SENT]: 'request delivered',
  [ContactStatus.INCOMING_RECEIVED]: 'wants to be your contact',
  [ContactStatus.INCOMING_DISCARDED]: 'request discarded',
  [ContactStatus.ACCEPTED]: 'contact',
}

function contactRow(client: WeshClient, contact: ContactState): HTMLElement {
  const name = bytesToUtf8(contact.metadata) || toHex(contact.accountId).slice(0, 12)
  const row = element('li', { 'data-contact': name, 'data-status': contact.status }, [
    element('strong', {}, [name]),
    element('span', { class: 'status' }, [STATUS_TEXT[contact.status]]),
  ])
  if (contact.status === ContactStatus.INCOMING_RECEIVED) {
    const accept = element('button', { 'data-testid': 'accept' }, ['Accept'])
    accept.addEventListener('click', () => {
      run(() => client.account.acceptContactRequest(contact.accountId))
    })
    row.append(accept)
  }
  if (isActiveContact(contact)) {
    const chat = element('button', { 'data-testid': 'chat' }, ['Chat'])
    chat.addEventListener('click', () => {
      run(() => showChat(client, contact, name))
    })
    row.append(chat)
  }
  return row
}

/**
 * The account's multi-member groups, each with its name and member count, updated as its log arrives (a group
 * just joined, or listed by another device of the account, has neither yet) until `signal` aborts.
 */
async function groupRows(client: WeshClient, signal: AbortSignal): Promise<HTMLElement[]> {
  const sessions = await Promise.all(
    client.account.groups().map((group) => client.account.group(group.publicKey)),
  )
  return sessions.map((session) => {
    const name = element('strong')
    const members = element('span', { class: 'status' })
    const open = element('button', { 'data-testid': 'open-group' }, ['Open'])
    open.addEventListener('click', () => {
      showGroup(session, () => {
        showHome(client)
      })
    })
    const row = element('li', {}, [name, members, open])
    const update = () => {
      name.textContent = session.state.name ?? toHex(session.group.publicKey).slice(0, 12)
      row.dataset['group'] = name.textContent
      members.textContent = `${session.state.members.size} member(s)`
    }
    update()
    void followUpdates(session, signal, update)
    return row
  })
}

async function showChat(client: WeshClient, contact: ContactState, name: string): Promise<void> {
  const session = await client.account.group(contact.accountId)
  const back = element('button', { 'data-testid': 'back' }, ['← Contacts'])
  back.addEventListener('click', () => {
    showHome(client)
  })
  showScreen('chat', (signal) => [
    element('section', {}, [back, element('h2', {}, [`Chat with ${name}`]), ...chatPanel(session, signal)]),
  ])
}

run(boot)
