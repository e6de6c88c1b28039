import { AbstractMultiaddrConnection } from '@libp2p/utils'
import { MAX_FRAME_BYTES } from './constants.js'
import type { ReliableLink } from './reliable-link.js'
import type { AbortOptions, CounterGroup, Logger } from '@libp2p/interface'
import type { SendResult } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface BleMultiaddrConnectionInit {
  link: ReliableLink
  remoteAddr: Multiaddr
  localAddr?: Multiaddr
  direction: 'inbound' | 'outbound'
  log: Logger
  metrics?: CounterGroup
}

/**
 * The raw (not yet upgraded) libp2p connection over a {@link ReliableLink}, built on libp2p's own
 * `AbstractMultiaddrConnection` as `@libp2p/tcp` is: writes become frames of at most `MAX_FRAME_BYTES`, pause and
 * resume close and reopen the link's receive window, and the link's end ends the connection.
 */
export class BleMultiaddrConnection extends AbstractMultiaddrConnection {
  readonly link: ReliableLink

  constructor(init: BleMultiaddrConnectionInit) {
    super({
      remoteAddr: init.remoteAddr,
      direction: init.direction,
      log: init.log,
      maxMessageSize: MAX_FRAME_BYTES,
      ...(init.localAddr === undefined ? {} : { localAddr: init.localAddr }),
      ...(init.metrics === undefined ? {} : { metrics: init.metrics }),
    })
    this.link = init.link
    this.link.addEventListener('frame', (event) => {
      this.onData(event.detail)
    })
    this.link.addEventListener('drain', () => {
      this.safeDispatchEvent('drain')
    })
    this.link.addEventListener('close', (event) => {
      const error = event.detail.error
      if (error === undefined) this.onTransportClosed()
      else this.abort(error)
    })
  }

  sendData(data: Uint8ArrayList): SendResult {
    // `maxMessageSize` keeps each chunk within one frame; the link buffers it whole and says when to wait.
    const canSendMore = this.link.write(data.subarray())
    return { sentBytes: data.byteLength, canSendMore }
  }

  async sendClose(options?: AbortOptions): Promise<void> {
    await this.link.close(options)
  }

  sendReset(error: Error): void {
    this.link.abort(error)
  }

  sendPause(): void {
    this.link.pause()
  }

  sendResume(): void {
    this.link.resume()
  }
}
