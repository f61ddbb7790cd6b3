/**
 * The playground's dtab text handling: the router's base dtab in canonical form, the dtab sent
 * for delegation (base, then the override), and mapping a parse error in what was sent back onto
 * the override box the user typed in.
 */
import type { DentryJson } from './api.js';
import { Dtab } from '../../naming/dtab.js';
import { NameTree } from '../../naming/nametree.js';

/** Dtab text (a router's base dtab, an override) read with the same parser the router uses. */
export interface ShownDtab {
  /** One per dentry, canonical (`/svc=>/#/io.l5d.fs`); empty when the text does not parse. */
  readonly entries: readonly DentryJson[];
  /** The dtab canonical and on one line (what the playground sends as the base, so error columns map back). */
  readonly text: string;
  /** The parse error, when the config text is not a dtab (the server would refuse it too). */
  readonly error?: string;
}

/** Reads dtab text into its canonical dentries. */
export function showDtab(text: string): ShownDtab {
  try {
    const dtab = Dtab.read(text);
    return {
      entries: dtab.entries.map((d) => ({ prefix: d.prefix.show(), dst: NameTree.show(d.dst) })),
      text: dtab.show(),
    };
  } catch (e) {
    return { entries: [], text, error: (e as Error).message };
  }
}

/** The dtab text sent for delegation, and where the override starts in it. */
export interface ComposedDtab {
  readonly text: string;
  readonly overrideStart: number;
}

/** Base first, then the override (later dentries win), joined by `;` when both are present. */
export function composeDtab(base: string, override: string): ComposedDtab {
  if (override.trim() === '') return { text: base, overrideStart: base.length };
  if (base === '') return { text: override, overrideStart: 0 };
  return { text: `${base};${override}`, overrideStart: base.length + 1 };
}

/** A syntax error located in text the user typed. */
export interface TextError {
  /** The server's message with the position rewritten relative to the text typed. */
  readonly message: string;
  /** 1-based line and column within the typed text. */
  readonly line: number;
  readonly column: number;
  /** The typed line the error is on, for drawing a caret under it. */
  readonly lineText: string;
}

const POSITION = /\bat (?:line (\d+), )?column (\d+)/;

/** `Invalid dtab: Invalid dtab at …` → `Invalid dtab at …` (the endpoint may prefix the parser's message). */
export function errorText(message: string): string {
  return message.replace(/^Invalid (\w+): (?=Invalid \1\b)/, '');
}

/** 0-based offset in `text` of a 1-based (line, column). */
function offsetOf(text: string, line: number, column: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    start = nl + 1;
  }
  return start + column - 1;
}

/** 1-based (line, column) and the line's text, of a 0-based offset in `text`. */
function positionOf(text: string, offset: number): { line: number; column: number; lineText: string } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = text.indexOf('\n', lineStart);
  return { line, column: offset - lineStart + 1, lineText: text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd) };
}

/**
 * Places an error message about `sent` (which holds `typed` from `typedStart` on) in `typed`.
 * Returns undefined when the message names no position or the position is outside `typed`
 * (an error in the base dtab is the config's, not the user's).
 */
export function locateError(message: string, sent: string, typed: string, typedStart: number): TextError | undefined {
  const text = errorText(message);
  const m = POSITION.exec(text);
  if (!m) return undefined;
  const offset = offsetOf(sent, m[1] ? Number(m[1]) : 1, Number(m[2]));
  const rel = offset - typedStart;
  if (rel < 0 || rel > typed.length) return undefined;
  const pos = positionOf(typed, rel);
  const where = typed.includes('\n') ? `at line ${pos.line}, column ${pos.column}` : `at column ${pos.column}`;
  return { message: text.replace(POSITION, where), ...pos };
}
