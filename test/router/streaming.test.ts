/**
 * Bodies stream through the router with backpressure: a 1 GiB upload and a 1 GiB download
 * arrive byte-exact while the router process's peak RSS stays small.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request, type ServerResponse, type ClientRequest } from 'node:http';
import { startUpstream, type Upstream } from '../helpers/http.js';
import { spawnSwitchyard, type SwitchyardProcess } from '../helpers/process.js';

const CHUNK = Buffer.alloc(64 * 1024, 0x5a);
const CHUNKS = 16 * 1024;
const TOTAL = CHUNK.length * CHUNKS; // 1 GiB
const MAX_PEAK_RSS_KB = 150 * 1024;

/** Writes CHUNK `CHUNKS` times, waiting for 'drain' whenever the socket is full, then ends. */
function pump(out: ServerResponse | ClientRequest): void {
  let sent = 0;
  const more = () => {
    while (sent < CHUNKS) {
      sent++;
      if (!out.write(CHUNK)) { out.once('drain', more); return; }
    }
    out.end();
  };
  more();
}

describe('streaming 1 GiB bodies through a router process', () => {
  let sink: Upstream, source: Upstream;
  let sinkCount = 0;
  let proc: SwitchyardProcess;
  let port = 0;

  before(async () => {
    sink = await startUpstream('sink', (req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => { n += c.length; });
      req.on('end', () => { sinkCount = n; res.writeHead(200, { 'content-type': 'text/plain' }); res.end(String(n)); });
    });
    source = await startUpstream('source', (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(TOTAL) });
      pump(res);
    });
    proc = await spawnSwitchyard(`
admin: {port: 0}
routers:
- protocol: http
  label: stream
  dtab: |
    /svc/sink => /$/inet/127.0.0.1/${sink.port};
    /svc/source => /$/inet/127.0.0.1/${source.port};
  servers: [{port: 0}]
`, ['stream'], { bundled: true });
    port = proc.ports.get('stream')!;
  });

  after(async () => {
    await proc.stop();
    await Promise.all([sink.close(), source.close()]);
  });

  it('uploads 1 GiB: the upstream counts every byte', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/upload', agent: false, headers: { host: 'sink', 'content-length': String(TOTAL) } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { body += c; });
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode}: ${body}`))));
      });
      req.on('error', reject);
      pump(req);
    });
    assert.equal(Number(answer), TOTAL);
    assert.equal(sinkCount, TOTAL);
  });

  it('downloads 1 GiB: the client counts every byte', async () => {
    const received = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/download', agent: false, headers: { host: 'source' } }, (res) => {
        if (res.statusCode !== 200) { reject(new Error(`status ${res.statusCode}`)); return; }
        let n = 0;
        res.on('data', (c: Buffer) => { n += c.length; });
        res.on('end', () => resolve(n));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(received, TOTAL);
  });

  it(`kept the router's peak RSS under ${MAX_PEAK_RSS_KB / 1024} MB`, (t) => {
    const peak = proc.peakRssKB();
    t.diagnostic(`router peak RSS ${Math.round(peak / 1024)} MB`);
    assert.ok(peak > 0, 'VmHWM was read');
    assert.ok(peak < MAX_PEAK_RSS_KB, `peak RSS ${Math.round(peak / 1024)} MB`);
  });
});
