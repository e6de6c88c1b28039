import { TypedEventEmitter } from '@libp2p/interface'
import { BleError, BleErrorCode, type RadioLink, type RadioLinkEvents } from '../src/index.js'

/** A radio link whose other end is the test: it records what is sent and injects what is received. */
export class FakeRadioLink extends TypedEventEmitter<RadioLinkEvents> implements RadioLink {
  readonly localDeviceId = 'local'
  readonly remoteDeviceId = 'remote'
  readonly direction = 'outbound' as const
  readonly mtu: number
  readonly maxPacketBytes: number
  open = true
  readonly sent: Uint8Array[] = []

  constructor(mtu = 185) {
    super()
    this.mtu = mtu
    this.maxPacketBytes = mtu - 3
  }

  send(packet: Uint8Array): boolean {
    if (!this.open) throw new BleError(BleErrorCode.BLE_LINK_CLOSED, 'closed')
    this.sent.push(packet)
    return true
  }

  close(): void {
    if (!this.open) return
    this.open = false
    queueMicrotask(() => this.safeDispatchEvent('close', { detail: { reason: 'local' } }))
  }

  receive(packet: Uint8Array): void {
    this.safeDispatchEvent('packet', { detail: packet })
  }
}
