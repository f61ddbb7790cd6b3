/** The explanation tree shows a router's transformers as Linkerd does: transformation nodes over the bound leaf. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstSettled } from '../../src/naming/activity.js';
import { delegateTreeToJson, type DelegateJson } from '../../src/naming/delegate-tree.js';
import { Dtab } from '../../src/naming/dtab.js';
import { Path } from '../../src/naming/path.js';
import { loadConfig } from '../../src/config/validate.js';
import { Linker } from '../../src/linker/linker.js';
import { discoDir, quietLog } from '../helpers/http.js';

test('delegation shows io.l5d.port as a transformation whose child is the original leaf', async () => {
  const disco = discoDir({ world: [7778] });
  const linker = Linker.create(loadConfig(`
namers: [{kind: io.l5d.fs, rootDir: ${disco.dir}}]
routers:
- protocol: http
  label: outgoing
  dtab: /svc => /#/io.l5d.fs
  interpreter: {kind: default, transformers: [{kind: io.l5d.port, port: 4141}]}
  servers: [{port: 0}]
`, 't.yaml'), { log: quietLog });
  try {
    const r = linker.router('outgoing')!;
    const s = await firstSettled(r.interpreter.delegate(r.interpreter.baseDtab.concat(Dtab.empty), Path.read('/svc/world')), 2000);
    assert.equal(s.status, 'ok');
    const json = delegateTreeToJson((s as { value: Parameters<typeof delegateTreeToJson>[0] }).value);
    const t = json.delegate as DelegateJson;
    assert.equal(t.type, 'transformation');
    assert.equal(t.name, 'io.l5d.port');
    assert.equal(t.bound?.id, '/%/io.l5d.port/4141/#/io.l5d.fs/world');
    assert.deepEqual(t.bound?.addr, { type: 'bound', addrs: [{ ip: '127.0.0.1', port: 4141, meta: {} }], meta: {} });
    assert.equal(t.tree?.type, 'leaf');
    assert.equal(t.tree?.bound?.id, '/#/io.l5d.fs/world');
    assert.equal(t.primary, true);
  } finally {
    await linker.close(0);
    disco.remove();
  }
});
