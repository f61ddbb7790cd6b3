/** A throwaway self-signed certificate for 127.0.0.1, made with Debian's openssl. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert { cert: string; key: string; dir: string; certFile: string; remove(): void }

export function selfSignedCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-k8s-tls-'));
  const certFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'tls.key');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=kubernetes',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:kubernetes.default.svc',
  ], { stdio: 'ignore' });
  return {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    dir,
    certFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
