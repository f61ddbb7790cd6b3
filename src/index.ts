/**
 * Switchyard's public API: the naming language (paths, name trees, dtabs), delegation, and the
 * explanation tree, for tools that lint, rewrite or explain dtabs.
 *
 * ```ts
 * import { Dtab, Path, NameInterpreter, delegateTreeToJson } from 'switchyard';
 * const dtab = Dtab.read('/svc=>/$/inet/127.0.0.1/8080');
 * const bound = new NameInterpreter([]).bind(dtab, Path.read('/svc')).current();
 * ```
 */

/** A sequence of byte labels (`/svc/web`); `Path.read` parses, `show()` prints canonically. */
export { Path } from './naming/path.js';

/**
 * Destinations and bound names: `leaf`, `alt` (`|`, ordered fallback), `union` (`&`, weighted),
 * `neg` (`~`), `fail` (`!`), `empty` (`$`); `read`, `show`, `simplify`, `eval`, `map`, `equals`.
 */
export { NameTree } from './naming/nametree.js';
export type { Leaf, Alt, Union, Weighted, Neg, Fail, Empty } from './naming/nametree.js';

/** Delegation tables: `Dtab.read(text)`, `concat` (later entries win), `lookup` (one step). */
export { Dtab, Dentry, Prefix } from './naming/dtab.js';
export type { PrefixElem, DentryMatch } from './naming/dtab.js';

/** Syntax errors carry offset, line, column, what was expected and what was found. */
export { DtabSyntaxError, NamingError } from './naming/errors.js';
export type { SyntaxTarget } from './naming/errors.js';

/** Binding a path under a dtab with configured namers, live (`bind`, `expand`, `delegate`). */
export { NameInterpreter } from './naming/interpreter.js';
export type { MountedNamer, NameInterpreterOptions } from './naming/interpreter.js';

/**
 * Binding and full static expansion as pure functions over one lookup step (dtab, then namers),
 * for tools that bring their own namers; NameInterpreter wraps them in live activities.
 */
export { bindPath, expandPath } from './naming/binding.js';
export type { Lookup, BindOptions } from './naming/binding.js';

/** The `/$/` namer: inet, fixedinet, fail, nil, rinet and Linkerd's rewriting namers. */
export { globalNamer } from './naming/global-namer.js';
export type { GlobalNamerOptions, InetResolver } from './naming/global-namer.js';

/** Concrete names and the namer contract. */
export { BoundName } from './naming/namer.js';
export type { Name, Namer } from './naming/namer.js';

/** Values over time: namer answers, address sets, bound trees. */
export { ActivitySource, constant, derive, firstSettled } from './naming/activity.js';
export type { Activity, State } from './naming/activity.js';

/** Address sets as namers publish them. */
export { Addr } from './naming/addr.js';
export type { Address } from './naming/addr.js';

/** The delegation explanation (Linkerd's delegator) and its `/delegator.json` rendering. */
export { delegateTreeToJson, simplifyDelegateTree } from './naming/delegate-tree.js';
export type { DelegateTree, DelegateWeighted, DelegateJson, DelegateJsonOptions, AddrJson, BoundJson, DentryJson } from './naming/delegate-tree.js';

/** Reading a request's dtab from HTTP headers, as Linkerd 1.x and Finagle do. */
export { readLinkerdDtab, readFinagleDtab, DtabHeaderError } from './protocol/http1/dtab-headers.js';
export type { HeaderPairs } from './protocol/http1/dtab-headers.js';
