/** Config files for the targets: Switchyard (with its discovery directory), nginx and HAProxy. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_DTAB, DISCOVERED_SERVICES, ROUTED_HOSTS } from './routes.js';

export interface Upstream { readonly host: string; readonly port: number }

/** Writes the io.l5d.fs directory: one file per service, each listing the upstream. */
export function writeDiscovery(dir: string, upstream: Upstream): void {
  mkdirSync(dir, { recursive: true });
  for (const service of DISCOVERED_SERVICES) writeFileSync(join(dir, service), `${upstream.host} ${upstream.port}\n`);
}

/**
 * A realistic single-router Switchyard config: the six-entry dtab, io.l5d.fs discovery, the admin
 * server (which always collects metrics) on its own port, and the Prometheus telemeter.
 */
export function switchyardConfig(o: { port: number; adminPort: number; discoveryDir: string }): string {
  return [
    'admin:',
    '  ip: 127.0.0.1',
    `  port: ${o.adminPort}`,
    'namers:',
    '- kind: io.l5d.fs',
    `  rootDir: ${JSON.stringify(o.discoveryDir)}`,
    'telemetry:',
    '- kind: io.l5d.prometheus',
    'routers:',
    '- protocol: http',
    '  label: bench',
    '  dtab: |',
    ...BASE_DTAB.map((d) => `    ${d};`),
    '  servers:',
    '  - ip: 127.0.0.1',
    `    port: ${o.port}`,
    '',
  ].join('\n');
}

/** Short name of a routed host for upstream/backend names (`web.bench.local` → `web`). */
const short = (host: string): string => host.split('.')[0]!;

/**
 * nginx doing the same job: one worker, a server block per Host proxying to its upstream group
 * with upstream keep-alive; unknown hosts get 404. Sized for the idle-connection scenario.
 */
export function nginxConfig(o: { port: number; upstream: Upstream; runDir: string }): string {
  const tmp = join(o.runDir, `nginx-${o.port}`);
  mkdirSync(tmp, { recursive: true });
  const up = `${o.upstream.host}:${o.upstream.port}`;
  return `daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 19000;
pid ${tmp}/nginx.pid;
error_log ${tmp}/error.log warn;
events { worker_connections 18000; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
${ROUTED_HOSTS.map((h) => `  upstream ${short(h)} { server ${up}; keepalive 128; keepalive_requests 1000000; keepalive_timeout 60s; }`).join('\n')}
  server { listen 127.0.0.1:${o.port} default_server; location / { return 404; } }
${ROUTED_HOSTS.map((h) => `  server {
    listen 127.0.0.1:${o.port};
    server_name ${h};
    location / { proxy_pass http://${short(h)}; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }`).join('\n')}
}
`;
}

/**
 * HAProxy doing the same job: one thread, a backend per Host chosen by ACL, server-side reuse.
 * maxconn covers the idle-connection scenario; HAProxy reserves two descriptors per connection
 * and refuses to start when the hard limit (often 20,000) is below that, although idle client
 * connections need only one each, so `no strict-limits` turns the refusal into a warning.
 */
export function haproxyConfig(o: { port: number; upstream: Upstream }): string {
  const up = `${o.upstream.host}:${o.upstream.port}`;
  return `global
  nbthread 1
  maxconn 12000
  no strict-limits
defaults
  mode http
  timeout connect 5s
  timeout client 65s
  timeout server 65s
  timeout http-keep-alive 65s
  option http-keep-alive
  http-reuse always
frontend fe
  bind 127.0.0.1:${o.port}
  http-request deny deny_status 404 unless { hdr(host) -i ${ROUTED_HOSTS.join(' ')} }
${ROUTED_HOSTS.map((h) => `  use_backend ${short(h)} if { hdr(host) -i ${h} }`).join('\n')}
${ROUTED_HOSTS.map((h) => `backend ${short(h)}\n  server s1 ${up}`).join('\n')}
`;
}
