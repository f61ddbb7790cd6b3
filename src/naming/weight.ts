/**
 * Union weights print as Java's `%.2f` does (§5.2): take the shortest decimal that round-trips
 * to the double, round it half-up to two fraction digits, print positionally. JavaScript's
 * `toFixed(2)` rounds the exact binary value instead (1.005 → "1.00", Java says "1.01") and
 * switches to exponent notation at 1e21, so it cannot be used.
 */
export function formatWeight(w: number): string {
  if (Number.isNaN(w)) return 'NaN';
  if (!Number.isFinite(w)) return w > 0 ? 'Infinity' : '-Infinity';
  const sign = w < 0 || Object.is(w, -0) ? '-' : '';
  const { int, frac } = positional(String(Math.abs(w)));
  const padded = frac.padEnd(3, '0');
  let kept = int + padded.slice(0, 2);
  if (padded.charCodeAt(2) >= 0x35 /* '5' */) kept = increment(kept);
  return `${sign}${kept.slice(0, -2)}.${kept.slice(-2)}`;
}

/** Splits JS's shortest round-trip spelling (maybe `1.2e+29`, `5e-7`) into plain digits. */
function positional(shortest: string): { int: string; frac: string } {
  const [mantissa, exponent] = shortest.split('e') as [string, string | undefined];
  const [intPart, fracPart = ''] = mantissa.split('.') as [string, string | undefined];
  const digits = intPart + fracPart;
  const point = intPart.length + (exponent ? Number(exponent) : 0);
  let int: string;
  let frac: string;
  if (point <= 0) { int = '0'; frac = '0'.repeat(-point) + digits; }
  else if (point >= digits.length) { int = digits + '0'.repeat(point - digits.length); frac = ''; }
  else { int = digits.slice(0, point); frac = digits.slice(point); }
  return { int: int.replace(/^0+(?=\d)/, ''), frac };
}

/** Adds one unit in the last place of a string of decimal digits. */
function increment(digits: string): string {
  const out = digits.split('');
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== '9') { out[i] = String.fromCharCode(out[i]!.charCodeAt(0) + 1); return out.join(''); }
    out[i] = '0';
  }
  return '1' + out.join('');
}
