import { AccountKeys, contactCardLink } from '@wesh/groups'
import { describe, expect, it } from 'vitest'
import { qrPng, qrSvg, qrTerminal } from '../src/index.js'

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

describe('QR codes of cards and link codes', () => {
  const keys = AccountKeys.create()
  const link = contactCardLink({
    accountId: keys.accountId,
    publicRendezvousSeed: keys.publicRendezvousSeed(),
    metadata: new TextEncoder().encode('Alice'),
  })

  it('renders for a terminal, as SVG and as PNG', async () => {
    const terminal = await qrTerminal(link)
    expect(terminal.split('\n').length).toBeGreaterThan(10)
    const svg = await qrSvg(link)
    expect(svg.startsWith('<svg')).toBe(true)
    const png = await qrPng(link, { scale: 4 })
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE)
  })

  it('grows with error correction and refuses text no QR version holds', async () => {
    expect((await qrSvg(link, { errorCorrection: 'H' })).length).toBeGreaterThan((await qrSvg(link)).length)
    await expect(qrSvg('x'.repeat(5_000))).rejects.toThrow()
  })
})
