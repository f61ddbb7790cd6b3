/**
 * Labels as byte strings, and the Java text rules the naming code inherits from Finagle.
 *
 * Labels are bytes. We hold each label as a JS "byte string": one char per byte (code 0–255),
 * so label comparison is plain string comparison (byte-wise) and hashing/Map keys are free.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8'); // non-fatal: malformed input decodes to U+FFFD, as Java does

/** The characters a label may be written with unescaped: `0-9 A-Z a-z _ : . # $ % -`. */
export const SHOWABLE_CHARS = '0-9 A-Z a-z _ : . # $ % -';

const showable = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  showable[c] = /[0-9A-Za-z_:.#$%-]/.test(ch) ? 1 : 0;
}

/** True for a char code that stands for its own byte in a label (§2.1). */
export function isShowable(code: number): boolean {
  return code >= 0 && code < 128 && showable[code] === 1;
}

/** True when every byte of the label can be printed raw. */
export function isShowableLabel(label: string): boolean {
  for (let i = 0; i < label.length; i++) if (!isShowable(label.charCodeAt(i))) return false;
  return true;
}

const HEX = '0123456789abcdef';

/** The canonical spelling of one label (§3.2): raw, or every byte as `\xhh` (lower case). */
export function showLabel(label: string): string {
  if (isShowableLabel(label)) return label;
  let out = '';
  for (let i = 0; i < label.length; i++) {
    const b = label.charCodeAt(i);
    out += '\\x' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

/** UTF-8 text → byte string. */
export function utf8Bytes(text: string): string {
  if (isAscii(text)) return text;
  const bytes = encoder.encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}

/** Byte string → text, decoding UTF-8 (malformed sequences become U+FFFD). */
export function utf8Text(bytes: string): string {
  if (isAscii(bytes)) return bytes;
  const arr = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) arr[i] = bytes.charCodeAt(i);
  return decoder.decode(arr);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Java's `String.split` with a literal separator: trailing empty pieces are dropped. */
export function javaSplit(s: string, sep: string): string[] {
  if (!s.includes(sep)) return [s];
  const parts = s.split(sep);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
