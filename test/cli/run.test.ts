import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { cli, collect, occupyPort, scratch, startCli, STACK_FRAME, waitFor } from './cli.js';

const dir = scratch();
after(() => dir.remove());

function get(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => { body += s; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('switchyard run', { concurrency: 3 }, () => {
  test('a bad config: exit 1, every problem on stderr, no stack trace, nothing started', async () => {
    dir.write('bad.yaml', 'routers:\n- protocol: http\n  servers:\n  - port: "41x0"\n');
    const r = await cli(['run', 'bad.yaml'], { cwd: dir.dir });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'bad.yaml:4:11 routers[0].servers[0].port: expected a number, got "41x0"\n      - port: "41x0"\n              ^\n');
  });

  test('a router port already taken: exit 3, the router and ip:port named, no stack trace', async () => {
    const taken = await occupyPort();
    try {
      const r = await cli(['run', '-'], { stdin: `admin: {port: 0}\nrouters:\n- protocol: http\n  label: outgoing\n  servers: [{port: ${taken.port}}]\n` });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, new RegExp(`^switchyard: router "outgoing" server 0: 127\\.0\\.0\\.1:${taken.port} is already in use$`, 'm'));
      assert.doesNotMatch(r.stderr, STACK_FRAME);
    } finally {
      await taken.close();
    }
  });

  test('the admin port already taken: exit 3, the admin server and ip:port named', async () => {
    const taken = await occupyPort();
    try {
      const r = await cli(['run', '-'], { stdin: `admin: {port: ${taken.port}}\nrouters:\n- protocol: http\n  servers: [{port: 0}]\n` });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, new RegExp(`^switchyard: admin server: 127\\.0\\.0\\.1:${taken.port} is already in use$`, 'm'));
      assert.doesNotMatch(r.stderr, STACK_FRAME);
    } finally {
      await taken.close();
    }
  });

  test('run - reads the config from stdin, routes, and drains on SIGTERM with exit 0', async () => {
    const upstream = createServer((req, res) => { req.resume(); res.end(`hello from web, asked for ${req.headers.host}`); });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    const child = startCli(['run', '-']);
    const done = collect(child, [
      'admin: {port: 0}',
      'routers:',
      '- protocol: http',
      '  label: edge',
      `  dtab: /svc/web => /$/inet/127.0.0.1/${upstreamPort};`,
      '  servers: [{port: 0}]',
    ].join('\n'));
    try {
      const log = await waitFor(child.stderr!, /router edge listening on 127\.0\.0\.1:\d+/);
      const port = Number(/router edge listening on 127\.0\.0\.1:(\d+)/.exec(log)![1]);
      const reply = await get(port, 'web');
      assert.deepEqual(reply, { status: 200, body: 'hello from web, asked for web' });
      child.kill('SIGTERM');
      const r = await done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /SIGTERM: draining/);
      assert.doesNotMatch(r.stderr, STACK_FRAME);
    } finally {
      child.kill('SIGKILL');
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }
  });

  test('SIGINT the moment a router listens (start-up not yet complete) still drains and exits 0', async () => {
    const child = startCli(['run', '-']);
    const done = collect(child, 'admin: {port: 0}\nrouters:\n- protocol: http\n  servers: [{port: 0}]\n');
    try {
      await waitFor(child.stderr!, /router http listening on/);
      child.kill('SIGINT');
      const r = await done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /SIGINT: draining/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('switchyard run --workers', () => {
  test('two workers share the router port; worker 1 serves admin; SIGTERM drains both and exits 0', async () => {
    const upstream = createServer((req, res) => { req.resume(); res.end(`pid ${process.pid}`); });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    const routerPort = (await occupyPort()); const port = routerPort.port; await routerPort.close();
    const adminPort = (await occupyPort()); const admin = adminPort.port; await adminPort.close();
    const cfg = dir.write('workers.yaml', `admin: {port: ${admin}}\nrouters:\n- protocol: http\n  dtab: /svc => /$/inet/127.0.0.1/${upstreamPort}\n  servers: [{port: ${port}}]\n`);
    const child = startCli(['run', '--workers', '2', cfg]);
    const done = collect(child);
    try {
      let listening = '';
      child.stderr!.on('data', (c: Buffer) => { listening += c.toString(); });
      await waitFor(child.stderr!, /listening[\s\S]*listening/);
      const r = await get(port, 'web');
      assert.equal(r.status, 200);
      assert.equal(await (await fetch(`http://127.0.0.1:${admin}/admin/ping`)).text(), 'pong');
      assert.equal((listening.match(/admin server on/g) ?? []).length, 1, 'exactly one worker serves admin');
    } finally {
      child.kill('SIGTERM');
      const r = await done;
      upstream.close();
      assert.equal(r.code, 0, r.stderr);
    }
  });

  test('--workers with a config on stdin is a usage error', async () => {
    const r = await cli(['run', '--workers', '2', '-'], { stdin: 'routers: []\n' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--workers needs a config file/);
  });
});
