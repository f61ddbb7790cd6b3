import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { describe, test } from 'node:test';
import { createInetResolver, type HostLookup } from '../../src/discovery/inet.js';
import { FakeClock } from '../../src/time/clock.js';
import { settle, show, until, value } from './helpers.js';

/** A resolver stand-in: answers from a table the test edits, counting the questions. */
function fakeDns(table: Record<string, string[] | Error>) {
  const asked: string[] = [];
  const lookup: HostLookup = async (hostname) => {
    asked.push(hostname);
    const answer = table[hostname];
    if (answer === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    if (answer instanceof Error) throw answer;
    return answer.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { lookup, asked, table };
}

const temporaryFailure = () => Object.assign(new Error('getaddrinfo EAI_AGAIN api'), { code: 'EAI_AGAIN' });

describe('inet resolver', () => {
  test('IP literals are bound at once, without asking DNS', () => {
    const dns = fakeDns({});
    const resolve = createInetResolver({ clock: new FakeClock(), lookup: dns.lookup });
    assert.deepEqual(show(value(resolve('10.1.2.3', 8080, false).current())), ['10.1.2.3:8080*1']);
    assert.deepEqual(show(value(resolve('::1', 80, false).current())), ['[::1]:80*1']);
    assert.deepEqual(show(value(resolve('[::1]', 80, true).current())), ['[::1]:80*1']);
    assert.deepEqual(show(value(resolve('', 4140, false).current())), ['127.0.0.1:4140*1'], 'an empty host is this host');
    assert.deepEqual(dns.asked, []);
  });

  test('a port outside 1-65535 is a failed address set', () => {
    const resolve = createInetResolver({ clock: new FakeClock(), lookup: fakeDns({}).lookup });
    assert.deepEqual(value(resolve('127.0.0.1', 0, false).current()), { type: 'failed', cause: 'inet: port 0 is not a number from 1 to 65535' });
    assert.equal(value(resolve('api', 70000, false).current()).type, 'failed');
  });

  test('a hostname is resolved while observed and again every refresh period', async () => {
    const clock = new FakeClock();
    const dns = fakeDns({ api: ['10.0.0.1', '10.0.0.2', '10.0.0.1'] });
    const resolve = createInetResolver({ clock, lookup: dns.lookup, refreshMs: 5000 });
    const addr = resolve('api', 80, false);
    assert.equal(addr.current().status, 'pending');
    assert.deepEqual(dns.asked, [], 'nothing is resolved before someone observes');

    const stop = addr.subscribe(() => {});
    const s = await until(addr, (x) => x.status === 'ok');
    assert.deepEqual(show(value(s)), ['10.0.0.1:80*1', '10.0.0.2:80*1']);
    assert.deepEqual(dns.asked, ['api']);

    dns.table['api'] = ['10.0.0.3'];
    clock.advance(5000);
    await until(addr, (x) => x.status === 'ok' && JSON.stringify(show(x.value)) === '["10.0.0.3:80*1"]');
    assert.deepEqual(dns.asked, ['api', 'api']);
    stop();
  });

  test('a waiter that leaves on the first answer leaves no refresh behind', async () => {
    const clock = new FakeClock();
    const dns = fakeDns({ api: ['10.0.0.1'] });
    const addr = createInetResolver({ clock, lookup: dns.lookup })('api', 80, false);
    await until(addr, (x) => x.status === 'ok');
    assert.equal(clock.pendingTimers, 0);
    clock.advance(60_000);
    await settle();
    assert.deepEqual(dns.asked, ['api']);
  });

  test('observers of the same host and port share one resolution', async () => {
    const clock = new FakeClock();
    const dns = fakeDns({ api: ['10.0.0.1'] });
    const resolve = createInetResolver({ clock, lookup: dns.lookup });
    const a = resolve('api', 80, false);
    const b = resolve('api', 80, false);
    const stopA = a.subscribe(() => {});
    const stopB = b.subscribe(() => {});
    await until(b, (x) => x.status === 'ok');
    assert.deepEqual(show(value(a.current())), ['10.0.0.1:80*1']);
    assert.deepEqual(dns.asked, ['api']);
    assert.equal(clock.pendingTimers, 1, 'one refresh timer for both');

    const other = resolve('api', 81, false);
    const stopOther = other.subscribe(() => {});
    await until(other, (x) => x.status === 'ok');
    assert.deepEqual(dns.asked, ['api', 'api'], 'another port is another resolution');
    stopA(); stopB(); stopOther();
  });

  test('when the last observer leaves, timers stop and nothing is resolved any more', async () => {
    const clock = new FakeClock();
    const dns = fakeDns({ api: ['10.0.0.1'] });
    const resolve = createInetResolver({ clock, lookup: dns.lookup });
    const addr = resolve('api', 80, false);
    const stop1 = addr.subscribe(() => {});
    const stop2 = addr.subscribe(() => {});
    await until(addr, (x) => x.status === 'ok');
    stop1();
    assert.equal(clock.pendingTimers, 1, 'still observed');
    stop2();
    stop2();
    assert.equal(clock.pendingTimers, 0);
    clock.advance(60_000);
    await settle();
    assert.deepEqual(dns.asked, ['api']);
    assert.equal(addr.current().status, 'pending', 'an unobserved name holds no state');

    const stop3 = addr.subscribe(() => {});
    await until(addr, (x) => x.status === 'ok');
    assert.deepEqual(dns.asked, ['api', 'api'], 'observing again resolves again');
    stop3();
    assert.equal(clock.pendingTimers, 0);
  });

  test('a lookup still in flight when the last observer leaves changes nothing and schedules nothing', async () => {
    const clock = new FakeClock();
    let answer!: (a: LookupAddress[]) => void;
    const lookup: HostLookup = () => new Promise((r) => { answer = r; });
    const resolve = createInetResolver({ clock, lookup });
    const addr = resolve('api', 80, false);
    const stop = addr.subscribe(() => assert.fail('no update after unsubscribing'));
    stop();
    answer([{ address: '10.0.0.1', family: 4 }]);
    await settle();
    assert.equal(clock.pendingTimers, 0);
    assert.equal(addr.current().status, 'pending');
  });

  test('fixed names are resolved once', async () => {
    const clock = new FakeClock();
    const dns = fakeDns({ api: ['10.0.0.1'] });
    const resolve = createInetResolver({ clock, lookup: dns.lookup });
    const addr = resolve('api', 80, true);
    const stop = addr.subscribe(() => {});
    await until(addr, (x) => x.status === 'ok');
    assert.equal(clock.pendingTimers, 0);
    clock.advance(60_000);
    await settle();
    assert.deepEqual(dns.asked, ['api']);
    stop();
  });

  test('an unknown host is Neg; a resolver failure is a failed set, but never empties a working one', async () => {
    const clock = new FakeClock();
    const dns = fakeDns({ flaky: temporaryFailure() });
    const resolve = createInetResolver({ clock, lookup: dns.lookup, refreshMs: 1000 });

    const missing = resolve('missing', 80, false);
    const stop1 = missing.subscribe(() => {});
    assert.deepEqual(value(await until(missing, (x) => x.status === 'ok')), { type: 'neg' });

    const flaky = resolve('flaky', 80, false);
    const stop2 = flaky.subscribe(() => {});
    assert.deepEqual(value(await until(flaky, (x) => x.status === 'ok')), { type: 'failed', cause: 'inet: cannot resolve flaky: getaddrinfo EAI_AGAIN api' });

    dns.table['flaky'] = ['10.0.0.9'];
    clock.advance(1000);
    await until(flaky, (x) => x.status === 'ok' && x.value.type === 'bound');

    dns.table['flaky'] = temporaryFailure();
    clock.advance(1000);
    await settle();
    assert.deepEqual(show(value(flaky.current())), ['10.0.0.9:80*1'], 'kept through a resolver hiccup');

    delete dns.table['flaky'];
    clock.advance(1000);
    assert.deepEqual(value(await until(flaky, (x) => x.status === 'ok' && x.value.type !== 'bound')), { type: 'neg' }, 'a host that is gone is Neg');
    stop1(); stop2();
  });
});
