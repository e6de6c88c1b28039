import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { describe, expect, it } from 'vitest'
import { BleErrorCode, ble } from '../src/index.js'

// Where a real adapter is present these tests would see it power on; they document the no-adapter behaviour.
const hasAdapter = process.env.WESH_BLE_ADAPTER === '1'

describe.skipIf(hasAdapter)('BlueZ driver without an adapter', () => {
  it('imports and constructs without touching Bluetooth', async () => {
    const { bluezRadio } = await import('../src/bluez.js')
    const driver = bluezRadio()
    expect(driver.started).toBe(false)
    expect(driver.deviceId).toBe('')
    await expect(driver.connect('aabbccddeeff')).rejects.toMatchObject({ code: BleErrorCode.BLE_NOT_STARTED })
  })

  it('fails at start with BLE_UNAVAILABLE when the BLE packages cannot be loaded', async () => {
    const { bluezRadio } = await import('../src/bluez.js')
    const driver = bluezRadio({
      load: { noble: () => Promise.reject(new Error('Cannot find module @stoprocent/noble')) },
    })
    const error = await driver.start().catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: BleErrorCode.BLE_UNAVAILABLE,
      cause: { message: 'Cannot find module @stoprocent/noble' },
    })
    expect(driver.started).toBe(false)
  })

  it('fails at start with BLE_UNAVAILABLE when no adapter powers on (the real packages)', async () => {
    const { bluezRadio } = await import('../src/bluez.js')
    const driver = bluezRadio({ startTimeoutMs: 5_000 })
    await expect(driver.start()).rejects.toMatchObject({ code: BleErrorCode.BLE_UNAVAILABLE })
    expect(driver.started).toBe(false)
  })

  it('makes a libp2p node with the BLE transport fail to start with BLE_UNAVAILABLE', async () => {
    const { bluezRadio } = await import('../src/bluez.js')
    const driver = bluezRadio({ load: { noble: () => Promise.reject(new Error('no packages')) } })
    await expect(
      createLibp2p({
        addresses: { listen: ['/ble/any'] },
        transports: [ble({ driver })],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
      }),
    ).rejects.toMatchObject({ code: BleErrorCode.BLE_UNAVAILABLE })
  })
})
