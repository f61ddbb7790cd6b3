/**
 * deploy/k8s, checked offline: kustomize renders it, every object passes the Kubernetes schema
 * (kubernetes-models), the embedded router config passes Switchyard's own loader, and the pieces
 * agree with each other (ports, names, probes, permissions, the environment the plugins read).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/validate.js';
import type { Config } from '../../src/config/schema.js';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy', 'k8s');
/** Applied on their own during the walkthrough (kubectl apply -f), not by the kustomization. */
const STANDALONE = ['world-v2.yaml', 'node-name-test.yaml'];

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: any };

function documents(text: string, source: string): Obj[] {
  return parseAllDocuments(text).map((d, i) => {
    if (d.errors.length > 0) throw new Error(`${source} document ${i}: ${d.errors[0]!.message}`);
    return d.toJS() as Obj;
  }).filter((o) => o !== null);
}

describe('deploy/k8s', () => {
  let rendered: Obj[];
  let all: Obj[];
  let config: Config;
  const find = (kind: string, name: string) => {
    const o = all.find((x) => x.kind === kind && (x.metadata.name === name || (kind === 'ConfigMap' && x.metadata.name.startsWith(`${name}-`))));
    assert.ok(o, `no ${kind} ${name}`);
    return o;
  };

  before(() => {
    const out = execFileSync('kubectl', ['kustomize', DEPLOY], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' } });
    rendered = documents(out, 'kubectl kustomize deploy/k8s');
    all = [...rendered, ...STANDALONE.flatMap((f) => documents(readFileSync(join(DEPLOY, f), 'utf8'), f))];
  });

  test('kustomize renders the reference topology', () => {
    assert.deepEqual(rendered.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '-<hash>')}`).sort(), [
      'ClusterRole/l5d', 'ClusterRoleBinding/l5d', 'ConfigMap/l5d-config-<hash>', 'DaemonSet/l5d',
      'Deployment/hello', 'Deployment/world-v1', 'Service/hello', 'Service/l5d', 'Service/world-v1', 'ServiceAccount/l5d',
    ]);
    assert.deepEqual(all.filter((o) => !rendered.includes(o)).map((o) => `${o.kind}/${o.metadata.name}`).sort(), ['Deployment/world-v2', 'Job/node-name-test', 'Service/world-v2']);
  });

  test('every object passes the Kubernetes schema', async () => {
    for (const o of all) {
      const module = await import(`kubernetes-models/${o.apiVersion}/${o.kind}`);
      const Model = module[o.kind] as new (o: Obj) => { validate(): void };
      assert.doesNotThrow(() => new Model(o).validate(), `${o.kind}/${o.metadata.name}`);
    }
    // The schema check is real: a broken object is refused.
    const { DaemonSet } = await import('kubernetes-models/apps/v1/DaemonSet');
    const broken = structuredClone(find('DaemonSet', 'l5d'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = '4140x';
    assert.throws(() => new DaemonSet(broken).validate(), /containerPort must be integer/);
  });

  test('the ConfigMap holds deploy/k8s/config.yaml, and Switchyard accepts it', () => {
    const text = find('ConfigMap', 'l5d-config').data['config.yaml'] as string;
    assert.equal(text, readFileSync(join(DEPLOY, 'config.yaml'), 'utf8'));
    config = loadConfig(text, 'deploy/k8s/config.yaml');
    assert.deepEqual(config.routers.map((r) => `${r.label}:${r.servers[0]!.port}`), ['ingress:4142', 'outgoing:4140', 'incoming:4141']);
  });

  test('the DaemonSet runs that config on the ports, probes and environment it declares', () => {
    const ds = find('DaemonSet', 'l5d');
    const pod = ds.spec.template.spec;
    const l5d = pod.containers[0];
    assert.deepEqual(l5d.args, ['run', '/config/config.yaml']);
    const volume = pod.volumes.find((v: any) => v.name === l5d.volumeMounts[0].name);
    assert.equal(volume.configMap.name, find('ConfigMap', 'l5d-config').metadata.name, 'kustomize points the volume at the generated ConfigMap');
    assert.equal(l5d.volumeMounts[0].mountPath, '/config');

    const ports = Object.fromEntries(l5d.ports.map((p: any) => [p.name, p]));
    for (const r of config.routers) assert.equal(ports[r.label!]?.containerPort, r.servers[0]!.port, `router ${r.label}`);
    assert.equal(ports.admin.containerPort, config.admin.port);
    assert.equal(config.admin.ip, '0.0.0.0', 'probes come from the kubelet, not localhost');
    assert.deepEqual([ports.outgoing.hostPort, ports.incoming.hostPort], [4140, 4141]);
    for (const probe of [l5d.readinessProbe, l5d.livenessProbe]) assert.deepEqual(probe.httpGet, { path: '/admin/ping', port: 'admin' });

    // Graceful termination: leave the endpoints, drain, and only then be killed.
    const preStop = Number(l5d.lifecycle.preStop.exec.command[1]);
    assert.ok(pod.terminationGracePeriodSeconds > preStop + config.admin.shutdownGraceMs / 1000);

    const env = Object.fromEntries(l5d.env.map((e: any) => [e.name, e.valueFrom.fieldRef.fieldPath]));
    assert.equal(env.POD_IP, 'status.podIP', 'io.l5d.k8s.localnode reads it');
    assert.equal(env.NODE_NAME, 'spec.nodeName');
    assert.equal(pod.securityContext.runAsNonRoot, true);
  });

  test('the names the config uses exist: the l5d Service port, the apps\' http ports, RBAC for the namer', () => {
    const daemonset = config.routers[1]!.interpreter!.transformers[0] as { kind: string; namespace: string; service: string; port: string };
    assert.equal(daemonset.kind, 'io.l5d.k8s.daemonset');
    const l5dSvc = find('Service', daemonset.service);
    assert.equal(l5dSvc.metadata.namespace, daemonset.namespace);
    assert.ok(l5dSvc.spec.ports.some((p: any) => p.name === daemonset.port && p.targetPort === 'incoming'));
    assert.ok(l5dSvc.spec.ports.some((p: any) => p.name === 'ingress' && p.targetPort === 'ingress'));
    for (const app of ['hello', 'world-v1', 'world-v2']) {
      assert.ok(find('Service', app).spec.ports.some((p: any) => p.name === 'http'), `${app} has the port /#/io.l5d.k8s/default/http names`);
    }

    const binding = find('ClusterRoleBinding', 'l5d');
    assert.equal(find('DaemonSet', 'l5d').spec.template.spec.serviceAccountName, binding.subjects[0].name);
    const rules = find('ClusterRole', binding.roleRef.name).rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    const can = (group: string, resource: string) => rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && ['get', 'list', 'watch'].every((v) => r.verbs.includes(v)));
    for (const [group, resource] of [['discovery.k8s.io', 'endpointslices'], ['', 'endpoints'], ['', 'services'], ['', 'pods']] as const) {
      assert.ok(can(group, resource), `read ${resource}`);
    }

    const hello = find('Deployment', 'hello').spec.template.spec.containers[0];
    const helloEnv = Object.fromEntries(hello.env.map((e: any) => [e.name, e.value ?? e.valueFrom.fieldRef.fieldPath]));
    assert.equal(helloEnv.http_proxy, `$(HOST_IP):${config.routers[1]!.servers[0]!.port}`, 'hello uses its node\'s outgoing router');
  });
});
