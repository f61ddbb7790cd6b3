/**
 * Reads config text (YAML, or JSON which is YAML too) into plain values while keeping source
 * positions, so every later validation error can name the line and column of the offending key.
 */
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, Scalar, visit, type Node } from 'yaml';
import { ConfigError, showKeyPath, type ConfigProblem, type KeyPath } from './errors.js';

/** 1-based line and column. */
export interface Position { line: number; col: number }

export interface ConfigSource {
  file: string;
  value: unknown;
  /** Where the value at `path` is, or its nearest existing ancestor; with `preferKey`, where its key is. */
  locate(path: KeyPath, preferKey?: boolean): Position | undefined;
  /**
   * Where character `offset` of the string at `path` is written, so that an error inside a
   * multi-line `dtab: |` block points at its own line. Spellings that do not map character by
   * character (escapes, folded blank lines) fall back to where the value starts.
   */
  locateInString(path: KeyPath, offset: number): Position | undefined;
  /** The text of a source line, to show under an error. */
  lineText(line: number): string | undefined;
}

/** Parses `text`; syntax errors and duplicate keys throw a ConfigError naming line and column. */
export function readConfigText(text: string, file: string): ConfigSource {
  const lineCounter = new LineCounter();
  // Duplicate keys are found below rather than by the parser, so that they can be named by key path.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true });
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const pos = (offset: number): Position => { const p = lineCounter.linePos(offset); return { line: p.line, col: p.col }; };
  const problem = (at: Position, keyPath: string, message: string): ConfigProblem =>
    ({ keyPath, message, ...at, excerpt: lines[at.line - 1] ?? '' });

  if (doc.errors.length > 0) {
    // The parser's later errors are almost always consequences of its first one.
    const e = doc.errors[0]!;
    throw new ConfigError(file, [problem(pos(e.pos[0]), '', `invalid YAML: ${yamlMessage(e.code, e.message)}`)]);
  }
  const duplicates: ConfigProblem[] = [];
  findDuplicateKeys(doc.contents as Node | null, [], (keyPath, key, at, first) => {
    const here = pos(at), there = pos(first);
    const where = there.line === here.line ? `at column ${there.col}` : `on line ${there.line}`;
    duplicates.push(problem(here, keyPath, `duplicate key "${key}" (first given ${where})`));
  });
  if (duplicates.length > 0) throw new ConfigError(file, duplicates);

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // An alias to an anchor that is not defined (before it): point at the first alias of that name.
    const name = /: (\S+)$/.exec((e as Error).message)?.[1];
    let at: Position | undefined;
    visit(doc, { Alias: (_key, alias) => { if (alias.source === name && alias.range && !at) at = pos(alias.range[0]); } });
    const message = `invalid YAML: ${(e as Error).message}`;
    throw new ConfigError(file, [at ? problem(at, '', message) : { keyPath: '', message }]);
  }

  /** The node at `path` (`exact`), or the deepest ancestor that exists. */
  const find = (path: KeyPath): { node: Node | null | undefined; key: Node | undefined; exact: boolean } => {
    let node: Node | null | undefined = doc.contents as Node | null;
    let key: Node | undefined;
    for (const k of path) {
      if (isMap(node)) {
        const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(k));
        if (!pair) return { node, key, exact: false };
        key = pair.key as Node;
        if (!pair.value) return { node: key, key, exact: false };
        node = pair.value as Node;
      } else if (isSeq(node) && typeof k === 'number' && node.items[k]) {
        key = undefined;
        node = node.items[k] as Node;
      } else {
        return { node, key, exact: false };
      }
    }
    return { node, key, exact: true };
  };

  const locate = (path: KeyPath, preferKey = false): Position | undefined => {
    const { node, key } = find(path);
    const target = preferKey && key ? key : node;
    return target?.range ? pos(target.range[0]) : undefined;
  };

  return {
    file,
    value,
    locate,
    locateInString(path, offset) {
      const { node, exact } = find(path);
      if (!exact || !isScalar(node) || typeof node.value !== 'string' || !node.range) return locate(path);
      const at = offsetInScalar(text, node as Scalar<string>, offset);
      return at === undefined ? locate(path) : pos(at);
    },
    lineText: (line) => lines[line - 1],
  };
}

function yamlMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'a config is one YAML document, but this file has more than one (a second "---")';
  return message.split('\n')[0]!;
}

function findDuplicateKeys(node: Node | null | undefined, path: KeyPath, found: (keyPath: string, key: string, at: number, first: number) => void): void {
  if (isMap(node)) {
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      if (key !== undefined && keyNode?.range) {
        const first = seen.get(key);
        if (first !== undefined) found(showKeyPath([...path, key]), key, keyNode.range[0], first);
        else seen.set(key, keyNode.range[0]);
      }
      findDuplicateKeys(pair.value as Node | null, [...path, key ?? '?'], found);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => findDuplicateKeys(item as Node, [...path, i], found));
  }
}

/** One source line of a scalar's content: where it starts in the file, and its text in the value. */
interface Piece { start: number; text: string }

/**
 * The file offset of character `offset` of a string scalar, for the spellings that map line by
 * line: plain and block scalars (lines joined by a space or a newline) and quoted strings on one
 * line without escapes. Undefined when the spelling does not reproduce the value that way.
 */
function offsetInScalar(text: string, node: Scalar<string>, offset: number): number | undefined {
  const [start, end] = node.range!;
  const source = text.slice(start, end);
  let pieces: Piece[];
  let sep: string;
  switch (node.type) {
    case Scalar.QUOTE_DOUBLE:
    case Scalar.QUOTE_SINGLE:
      if (source.includes('\n')) return undefined;
      pieces = [{ start: start + 1, text: source.slice(1, -1) }];
      sep = '';
      break;
    case Scalar.PLAIN:
      pieces = sourceLines(source, start).map((p) => trimPiece(p));
      sep = ' ';
      break;
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED: {
      const content = sourceLines(source, start).slice(1);
      while (content.length > 0 && content.at(-1)!.text.trim() === '') content.pop();
      const indent = /^ */.exec(content.find((p) => p.text.trim() !== '')?.text ?? '')![0].length;
      pieces = content.map((p) => ({ start: p.start + indent, text: p.text.slice(indent) }));
      sep = node.type === Scalar.BLOCK_LITERAL ? '\n' : ' ';
      break;
    }
    default:
      return undefined;
  }
  if (pieces.map((p) => p.text).join(sep) !== node.value.replace(/\n+$/, '')) return undefined;
  let at = 0;
  for (const [i, p] of pieces.entries()) {
    if (offset <= at + p.text.length || i === pieces.length - 1) return p.start + Math.min(offset - at, p.text.length);
    at += p.text.length + sep.length;
  }
  return undefined;
}

function sourceLines(source: string, start: number): Piece[] {
  const pieces: Piece[] = [];
  let from = 0;
  for (const line of source.split('\n')) {
    pieces.push({ start: start + from, text: line.replace(/\r$/, '') });
    from += line.length + 1;
  }
  return pieces;
}

function trimPiece(p: Piece): Piece {
  const lead = /^\s*/.exec(p.text)![0].length;
  return { start: p.start + lead, text: p.text.slice(lead).trimEnd() };
}
