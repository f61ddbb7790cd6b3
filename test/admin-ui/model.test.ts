/**
 * The admin UI's logic without a browser: reading the metrics tree, rates between polls, the
 * chart history window, the dtab sent for delegation and mapping its errors back, the page shell.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { composeDtab, locateError, showDtab } from '../../src/admin/ui/dtab-text.js';
import { formatMs, formatPercent, formatRate } from '../../src/admin/ui/format.js';
import { requestScopes, scopeAt, sumTotals, totals, type MetricsTree } from '../../src/admin/ui/metrics.js';
import { renderPage } from '../../src/admin/ui/page.js';
import { History, RouterTraffic, throughput } from '../../src/admin/ui/traffic.js';

const leaves = (requests: number, success: number, failures: number): MetricsTree => ({
  requests: { counter: requests }, success: { counter: success }, failures: { counter: failures },
});

function metrics(requests: number, success: number, failures: number): MetricsTree {
  return {
    rt: {
      outgoing: {
        server: { '127.0.0.1': { '4140': { ...leaves(requests, success, failures), connections: { gauge: 2 }, pending: { gauge: 1 } } } },
        service: { svc: { world: leaves(requests, success, failures) } },
        client: {
          '#': { 'io.l5d.fs': { 'world-v1': { ...leaves(requests, success, failures), service: { svc: { world: leaves(1, 1, 0) } } } } },
        },
      },
    },
  };
}

describe('metrics tree', () => {
  test('a missing scope or leaf reads as zero', () => {
    assert.deepEqual(totals(scopeAt({}, ['rt', 'nope'])), { requests: 0, success: 0, failures: 0, connections: 0, pending: 0, latency: undefined });
    assert.equal(totals({ requests: { gauge: 3 } }).requests, 0, 'a gauge is not a counter');
  });

  test('finds request scopes by the name their path spells, not a client\'s per-service breakdown', () => {
    const rt = scopeAt(metrics(5, 4, 1), ['rt', 'outgoing'])!;
    assert.deepEqual([...requestScopes(scopeAt(rt, ['client'])).keys()], ['/#/io.l5d.fs/world-v1']);
    assert.deepEqual([...requestScopes(scopeAt(rt, ['service'])).keys()], ['/svc/world']);
    assert.deepEqual([...requestScopes(scopeAt(rt, ['server'])).keys()], ['/127.0.0.1/4140']);
  });

  test('an id is one key or nested segments; nested names are separate scopes', () => {
    const tree: MetricsTree = { svc: { world: { ...leaves(1, 1, 0), v2: leaves(2, 2, 0) } }, 'svc/users': leaves(3, 3, 0) };
    assert.deepEqual([...requestScopes(tree).keys()], ['/svc/world', '/svc/world/v2', '/svc/users']);
  });

  test('latency needs a window with requests; summed totals take the busiest scope\'s latency', () => {
    const stat = (count: number, p99: number): MetricsTree => ({ request_latency_ms: { 'stat.count': count, 'stat.p99': p99 } });
    assert.equal(totals(stat(0, 0)).latency, undefined);
    const sum = sumTotals([totals({ ...leaves(3, 3, 0), ...stat(3, 50) }), totals({ ...leaves(9, 8, 1), ...stat(9, 7) })]);
    assert.equal(sum.requests, 12);
    assert.equal(sum.latency?.p99, 7);
  });
});

describe('traffic between polls', () => {
  const t = (requests: number, success: number, failures: number) => totals(leaves(requests, success, failures));

  test('rates are increases over the interval; success counts completed requests', () => {
    assert.deepEqual(throughput(undefined, t(10, 10, 0), 1), { requestRate: null, successRate: null });
    assert.deepEqual(throughput(t(10, 9, 1), t(30, 27, 3), 2), { requestRate: 10, successRate: 90 });
    assert.deepEqual(throughput(t(10, 10, 0), t(10, 10, 0), 1), { requestRate: 0, successRate: null });
  });

  test('a counter that goes down was reset and counts from zero', () => {
    assert.equal(throughput(t(1000, 1000, 0), t(5, 5, 0), 1).requestRate, 5);
  });

  test('a router\'s summary, services and clients', () => {
    const r = new RouterTraffic('outgoing');
    r.ingest(metrics(100, 99, 1), 0);
    assert.equal(r.summary().requestRate, null);
    r.ingest(metrics(150, 148, 2), 500);
    assert.deepEqual(r.summary(), { requestRate: 100, successRate: 98, p50: null, p99: null, connections: 2, pending: 1 });
    assert.deepEqual(r.services(), ['/svc/world']);
    assert.equal(r.service('/svc/world').requestRate, 100);
    assert.equal(r.client('/#/io.l5d.fs/world-v1').requestRate, 100);
    assert.deepEqual(r.client('/#/io.l5d.fs/gone'), { requestRate: null, successRate: null });
    assert.deepEqual(r.history.series(['requestRate', 'successRate']), [[0, 0.5], [null, 100], [null, 98]]);
  });

  test('the history keeps only its window', () => {
    const h = new History(3000);
    for (let s = 0; s <= 10; s++) h.push(s * 1000, { requestRate: s, successRate: null, p50: null, p95: null, p99: null });
    assert.deepEqual(h.series(['requestRate']), [[7, 8, 9, 10], [7, 8, 9, 10]]);
  });
});

describe('dtab text', () => {
  test('the base dtab is read with the router\'s parser: comments and layout dropped, canonical form', () => {
    const base = showDtab('/srv => /#/io.l5d.fs ;\n# old; /x=>/y\n/svc => 1 * /srv & 2 * /b ;\n');
    assert.deepEqual(base.entries, [{ prefix: '/srv', dst: '/#/io.l5d.fs' }, { prefix: '/svc', dst: '/srv & 2.00*/b' }]);
    assert.equal(base.text, '/srv=>/#/io.l5d.fs;/svc=>/srv & 2.00*/b');
    assert.deepEqual(showDtab('').entries, []);
    assert.match(showDtab('/a => ').error ?? '', /Invalid dtab at column 7/);
  });

  test('base first, then the override, joined by ;', () => {
    assert.deepEqual(composeDtab('/a=>/b', '/c=>/d'), { text: '/a=>/b;/c=>/d', overrideStart: 7 });
    assert.deepEqual(composeDtab('/a=>/b', '  '), { text: '/a=>/b', overrideStart: 6 });
    assert.deepEqual(composeDtab('', '/c=>/d'), { text: '/c=>/d', overrideStart: 0 });
  });

  test('an error column in what was sent maps onto the override', () => {
    const sent = composeDtab('/a=>/b', '/c /d');
    const e = locateError(`Invalid dtab: Invalid dtab at column 11: expected '=>' but found '/'`, sent.text, '/c /d', sent.overrideStart);
    assert.deepEqual(e, { message: `Invalid dtab at column 4: expected '=>' but found '/'`, line: 1, column: 4, lineText: '/c /d' });
  });

  test('errors on later lines keep their line; errors at the end point past the text', () => {
    const typed = '/c=>/d;\n/e=>';
    const sent = composeDtab('/a=>/b', typed);
    assert.deepEqual(locateError('Invalid dtab at line 2, column 5: expected a path', sent.text, typed, sent.overrideStart),
      { message: 'Invalid dtab at line 2, column 5: expected a path', line: 2, column: 5, lineText: '/e=>' });
  });

  test('an error in the base or without a position is not placed in the override', () => {
    const sent = composeDtab('/a=>/b', '/c=>/d');
    assert.equal(locateError('Invalid dtab at column 2: expected', sent.text, '/c=>/d', sent.overrideStart), undefined);
    assert.equal(locateError('Request timed out.', sent.text, '/c=>/d', sent.overrideStart), undefined);
  });
});

describe('formatting and the page shell', () => {
  test('numbers', () => {
    assert.deepEqual([formatRate(null), formatRate(0), formatRate(0.25), formatRate(1234.4)], ['—', '0', '0.3', '1,234']);
    assert.deepEqual([formatPercent(100), formatPercent(99.999), formatPercent(50)], ['100%', '99.99%', '50.00%']);
    assert.deepEqual([formatMs(3), formatMs(2.5), formatMs(120)], ['3', '2.5', '120']);
  });

  test('the shell loads the bundle, has a root, and escapes the title', () => {
    const page = renderPage('delegator', 'Switchyard · <dtab> & "play"');
    assert.match(page, /^<!doctype html>/);
    assert.match(page, /<link rel="stylesheet" href="\/files\/app.css">/);
    assert.match(page, /<script type="module" src="\/files\/app.js"><\/script>/);
    assert.match(page, /<div id="app">/);
    assert.match(page, /<title>Switchyard · &#60;dtab&#62; &#38; &#34;play&#34;<\/title>/);
  });
});
