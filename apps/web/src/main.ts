import { qrSvg } from '@wesh/contacts'
import { bytesToUtf8, isWeshError, toHex, utf8ToBytes } from '@wesh/crypto'
import { ContactStatus, contactCardLink, isActiveContact, type ContactState } from '@wesh/groups'
import { type WeshClient, openSecrets, startWeshClient, storedDisplayName } from './wesh-client.js'
import { element } from './dom.js'

/** Node peers to dial, from `?peer=<multiaddr>` (repeatable) or, once given, from the last visit. */
const PEERS_KEY = 'wesh-web/peers'

const app = document.querySelector<HTMLElement>('#app') as HTMLElement
const status = document.querySelector<HTMLElement>('#status') as HTMLElement

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
  const form = element('form', {}, [
    element('h2', {}, ['Create your account']),
    element('p', {}, ['Your keys stay in this browser (IndexedDB). Nobody else holds them.']),
    input,
    element('button', { 'data-testid': 'create' }, ['Create account']),
  ])
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    form.querySelector('button')?.setAttribute('disabled', '')
    run(async () => {
      showHome(await start({ secrets, peers, newName: input.value.trim() }))
    })
  })
  app.replaceChildren(form)
}

async function start(options: Parameters<typeof startWeshClient>[0]): Promise<WeshClient> {
  status.textContent = 'starting node…'
  const client = await startWeshClient(options)
  const { libp2p } = client.node
  const showPeers = () => {
    status.dataset['peers'] = String(libp2p.getPeers().length)
    if (status.dataset['error'] === undefined)
      status.textContent = `${client.displayName} · ${libp2p.getPeers().length} peer(s) connected`
  }
  clearError = () => {
    delete status.dataset['error']
    showPeers()
  }
  libp2p.addEventListener('peer:connect', showPeers)
  libp2p.addEventListener('peer:disconnect', showPeers)
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
  const addForm = element('form', {}, [
    paste,
    element('button', { 'data-testid': 'add-contact' }, ['Send request']),
  ])
  addForm.addEventListener('submit', (event) => {
    event.preventDefault()
    run(async () => {
      await contacts.send(paste.value.trim(), utf8ToBytes(client.displayName))
      paste.value = ''
    })
  })
  const list = element('ul', { class: 'contacts', 'data-testid': 'contacts' })
  const renderContacts = () => {
    list.replaceChildren(...account.contacts().map((contact) => contactRow(client, contact)))
  }
  renderContacts()
  const controller = new AbortController()
  void followAccount(client, controller.signal, renderContacts)
  app.replaceChildren(
    element('section', {}, [
      element('h2', {}, ['Your contact card']),
      element('p', {}, ['Show the code, or give the link to someone who uses Wesh.']),
      qr,
      element('textarea', { rows: '3', readonly: '', 'data-testid': 'my-card' }, [link]),
    ]),
    element('section', {}, [element('h2', {}, ['Add a contact']), addForm]),
    element('section', {}, [element('h2', {}, ['Contacts']), list]),
  )
  app.dataset['screen'] = 'home'
  leaveHome = () => {
    controller.abort()
  }
}

let leaveHome = () => {}

/** Re-renders on every account-group update (requests arriving, accepted, sent) until `signal` aborts. */
async function followAccount(client: WeshClient, signal: AbortSignal, render: () => void): Promise<void> {
  for (;;) {
    await client.account.accountGroup.nextUpdate()
    if (signal.aborted) return
    render()
  }
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

async function showChat(client: WeshClient, contact: ContactState, name: string): Promise<void> {
  leaveHome()
  const session = await client.account.group(contact.accountId)
  const self = toHex(session.devicePublicKey)
  const list = element('ol', { class: 'messages', 'data-testid': 'messages' })
  const shown = new Set<string>()
  const show = (message: { id: string; devicePk: Uint8Array; plaintext: Uint8Array }) => {
    if (shown.has(message.id)) return
    shown.add(message.id)
    const mine = toHex(message.devicePk) === self
    list.append(
      element('li', { class: mine ? 'self' : 'peer', 'data-testid': 'message' }, [
        bytesToUtf8(message.plaintext),
      ]),
    )
  }
  const controller = new AbortController()
  // Subscribed before reading the history, so nothing falls between the two; `shown` drops the overlap.
  const updates = session.subscribe({ signal: controller.signal })
  for (const message of (await session.messages()).reverse()) show(message)
  void (async () => {
    for await (const message of updates) show(message)
  })()
  const input = element('input', { placeholder: 'Message', 'data-testid': 'message-text', required: '' })
  const form = element('form', { class: 'row' }, [
    input,
    element('button', { 'data-testid': 'send' }, ['Send']),
  ])
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = input.value
    input.value = ''
    run(async () => {
      const id = await session.send(utf8ToBytes(text))
      show({ id, devicePk: session.devicePublicKey, plaintext: utf8ToBytes(text) })
    })
  })
  const back = element('button', { 'data-testid': 'back' }, ['← Contacts'])
  back.addEventListener('click', () => {
    controller.abort()
    showHome(client)
  })
  app.replaceChildren(element('section', {}, [back, element('h2', {}, [`Chat with ${name}`]), list, form]))
  app.dataset['screen'] = 'chat'
  input.focus()
}

/** Puts the status line back once an action succeeds after a failed one. */
let clearError = () => {}

/** Runs a UI action; a failure shows its WeshError code in the status line until an action succeeds. */
function run(action: () => Promise<unknown>): void {
  action().then(
    () => {
      if (status.dataset['error'] !== undefined) clearError()
    },
    (error: unknown) => {
      const code = isWeshError(error) ? error.code : 'ERROR'
      status.textContent = `${code}: ${error instanceof Error ? error.message : String(error)}`
      status.dataset['error'] = code
      console.error(error)
    },
  )
}

run(boot)
