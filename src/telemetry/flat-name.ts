/**
 * Resolving a flat metrics name (`rt/outgoing/client/#/io.l5d.fs/world-v1`) to a node of a
 * tree. An id segment contains `/` itself, so every way of splitting the name into child names
 * is tried, shortest first.
 */
export function resolveFlatName<T>(root: T, flatName: string, childOf: (node: T, name: string) => T | undefined): T | undefined {
  return resolve(root, flatName.split('/').filter((s) => s !== ''), 0, childOf);
}

function resolve<T>(node: T, segs: string[], i: number, childOf: (node: T, name: string) => T | undefined): T | undefined {
  if (i === segs.length) return node;
  let name = '';
  for (let j = i; j < segs.length; j++) {
    name = j === i ? segs[j]! : `${name}/${segs[j]!}`;
    const child = childOf(node, name);
    const found = child === undefined ? undefined : resolve(child, segs, j + 1, childOf);
    if (found !== undefined) return found;
  }
  return undefined;
}
