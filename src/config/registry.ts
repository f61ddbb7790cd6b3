/** Every plugin Switchyard knows, by category. Adding a plugin = its file + one line here. */
import { Registry } from './registry-core.js';
import type { NamerPlugin, TransformerPlugin } from './plugin.js';
import type { IdentifierPlugin } from '../protocol/http1/identifier.js';
import { headerTokenIdentifier } from '../protocol/http1/identifiers/header-token.js';
import { methodAndHostIdentifier } from '../protocol/http1/identifiers/method-and-host.js';
import { pathIdentifier } from '../protocol/http1/identifiers/path.js';
import { headerPathIdentifier } from '../protocol/http1/identifiers/header.js';
import { staticIdentifier } from '../protocol/http1/identifiers/static.js';
import { fsNamer } from '../discovery/fs.js';
import { portTransformer } from '../discovery/transformers/port.js';
import { localhostTransformer } from '../discovery/transformers/localhost.js';
import { specificHostTransformer } from '../discovery/transformers/specific-host.js';
import { replaceTransformer } from '../discovery/transformers/replace.js';
import { constTransformer } from '../discovery/transformers/const.js';
import { k8sNamer, k8sNsNamer } from '../discovery/k8s/plugins.js';
import { k8sDaemonsetTransformer } from '../discovery/transformers/k8s-daemonset.js';
import { k8sLocalnodeTransformer } from '../discovery/transformers/k8s-localnode.js';

export const registries = {
  namers: new Registry<NamerPlugin>('namer', [
    fsNamer,
    k8sNamer,
    k8sNsNamer,
  ]),
  transformers: new Registry<TransformerPlugin>('transformer', [
    portTransformer,
    localhostTransformer,
    specificHostTransformer,
    replaceTransformer,
    constTransformer,
    k8sDaemonsetTransformer,
    k8sLocalnodeTransformer,
  ]),
  identifiers: new Registry<IdentifierPlugin>('identifier', [
    headerTokenIdentifier,
    methodAndHostIdentifier,
    pathIdentifier,
    headerPathIdentifier,
    staticIdentifier,
  ]),
};
