import QRCode from 'qrcode'

// Cards (`wesh://contact/…`) and link codes (`wesh://link/…`) are shown as QR codes (PROTOCOL.md §4, §6.3).
// Error correction M (15 %): a phone camera reads it off a screen, and it keeps a 300-byte link at version 10.

/** Options shared by every output. */
export interface QrOptions {
  /** Error-correction level. Default `'M'`. */
  readonly errorCorrection?: 'L' | 'M' | 'Q' | 'H'
}

const ERROR_CORRECTION = 'M'

/** The QR code as text for a terminal (half-height blocks, two rows per line). */
export function qrTerminal(text: string, options: QrOptions = {}): Promise<string> {
  return QRCode.toString(text, {
    type: 'terminal',
    small: true,
    errorCorrectionLevel: options.errorCorrection ?? ERROR_CORRECTION,
  })
}

/** The QR code as an SVG document. */
export function qrSvg(text: string, options: QrOptions & { readonly margin?: number } = {}): Promise<string> {
  return QRCode.toString(text, {
    type: 'svg',
    margin: options.margin ?? 4,
    errorCorrectionLevel: options.errorCorrection ?? ERROR_CORRECTION,
  })
}

/** The QR code as PNG bytes, `scale` pixels per module. */
export async function qrPng(
  text: string,
  options: QrOptions & { readonly scale?: number; readonly margin?: number } = {},
): Promise<Uint8Array> {
  const buffer = await QRCode.toBuffer(text, {
    type: 'png',
    scale: options.scale ?? 8,
    margin: options.margin ?? 4,
    errorCorrectionLevel: options.errorCorrection ?? ERROR_CORRECTION,
  })
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}
