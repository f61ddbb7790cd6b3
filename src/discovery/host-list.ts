/**
 * The io.l5d.fs file format: one endpoint per line, `host port` or `host port * weight`;
 * `#` starts a comment; blank lines are ignored; fields are separated by any whitespace.
 */
import { Addr, type Address } from '../naming/addr.js';
import { uniqueAddresses } from './addresses.js';

export type HostList =
  | { readonly ok: true; readonly addresses: readonly Address[] }
  /** The first bad line (1-based) and why it is bad. */
  | { readonly ok: false; readonly line: number; readonly reason: string };

const DIGITS = /^[0-9]+$/;
const DECIMAL = /^\+?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

export function parseHostList(text: string): HostList {
  const addresses: Address[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i]!.indexOf('#');
    const content = (hash < 0 ? lines[i]! : lines[i]!.slice(0, hash)).trim();
    if (content === '') continue;
    const parsed = parseLine(content);
    if (typeof parsed === 'string') return { ok: false, line: i + 1, reason: parsed };
    addresses.push(parsed);
  }
  return { ok: true, addresses: uniqueAddresses(addresses) };
}

/** An address, or the reason the line is not one. */
function parseLine(content: string): Address | string {
  const fields = content.split(/\s+/);
  const weighted = fields.length === 4 && fields[2] === '*';
  if (fields.length !== 2 && !weighted) {
    return `expected "host port" or "host port * weight", got "${content}"`;
  }
  const [host, portText] = fields as [string, string];
  const port = DIGITS.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return `port "${portText}" is not a number from 1 to 65535`;
  if (!weighted) return Addr.address(host, port);
  const weightText = fields[3]!;
  const weight = DECIMAL.test(weightText) ? Number(weightText) : NaN;
  if (!Number.isFinite(weight)) return `weight "${weightText}" is not a non-negative number`;
  return Addr.address(host, port, weight);
}
