import QRCode from 'qrcode'

/** A link as a QR code drawn with half-block characters, to scan from the terminal. */
export function terminalQr(link: string): Promise<string> {
  return QRCode.toString(link, { type: 'terminal', small: true, errorCorrectionLevel: 'L' })
}
