/**
 * Reads config text (YAML, or JSON which is YAML too) into plain values while keeping source
 * positions, so every later validation error can name the line and column of the offending key.
 */
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, type Node } from 'yaml';
import { ConfigError, type KeyPath } from './errors.js';

export interface ConfigSource {
  file: string;
  value: unknown;
  /** Line/column (1-based) of the value at `path`, or of its nearest existing ancestor. */
  locate(path: KeyPath, preferKey?: boolean): { line: number; col: number } | undefined;
}

export function readConfigText(text: string, file: string): ConfigSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      const msg = e.code === 'DUPLICATE_KEY' ? `duplicate key${keyAt(text, e.pos[0])}` : e.message.split('\n')[0]!;
      return { keyPath: '', message: msg, line: pos.line, col: pos.col };
    }));
  }
  const value = doc.toJS({ maxAliasCount: 100 });
  const pos = (offset: number) => { const p = lineCounter.linePos(offset); return { line: p.line, col: p.col }; };

  return {
    file,
    value,
    locate(path, preferKey = false) {
      let node: Node | null | undefined = doc.contents as Node | null;
      let keyNode: Node | undefined;
      for (const k of path) {
        if (isMap(node)) {
          const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(k));
          if (!pair) break;
          keyNode = pair.key as Node;
          node = pair.value as Node | null;
          if (!node) { node = keyNode; break; }
        } else if (isSeq(node) && typeof k === 'number' && node.items[k]) {
          keyNode = undefined;
          node = node.items[k] as Node;
        } else break;
      }
      const target = preferKey && keyNode ? keyNode : node;
      return target?.range ? pos(target.range[0]) : undefined;
    },
  };
}

function keyAt(text: string, offset: number): string {
  const m = /^[\s"']*([^\s:"']+)/.exec(text.slice(offset, offset + 80));
  return m ? ` '${m[1]}'` : '';
}
