/**
 * The sandbox's TLS material is cached between starts (P5: no key generation and no node-forge
 * on a warm start) and reused only while it is valid for the requested hosts.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { createSandboxTls, prepareSandboxTls, readCache, TLS_CACHE_FILE } from '../../src/sandbox/tls';
import { useTempDir } from '../unit/support/temp-dir';

const temp = useTempDir('acrbot-tls-');
// Host lists no other test uses, so the per-process memo does not answer for the cache.
const HOSTS = ['127.0.0.1', 'localhost', 'tls-cache-test.local'];

describe('prepareSandboxTls with a cache folder', () => {
  test('mints once, writes the cache readable by its owner only, and the cache is read back as valid', async () => {
    const dir = temp.path('cache');
    const tls = await prepareSandboxTls(HOSTS, { cacheDir: dir });
    const file = join(dir, TLS_CACHE_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readCache(file, HOSTS)).toEqual(tls);
    // The CA's key, under whatever name, is never kept: only these are.
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8'))).sort()).toEqual(['caPem', 'certPem', 'hosts', 'keyPem']);
    const cert = new X509Certificate(tls.certPem);
    expect(cert.verify(new X509Certificate(tls.caPem).publicKey)).toBe(true);
    expect(cert.checkHost('tls-cache-test.local')).toBe('tls-cache-test.local');
    // Memoised per process: the same promise result for the same hosts.
    expect(await prepareSandboxTls(HOSTS, { cacheDir: dir })).toBe(tls);
  });

  test('is reused from disk by a later start', async () => {
    const dir = temp.path('warm');
    const material = createSandboxTls(HOSTS);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, TLS_CACHE_FILE), JSON.stringify({ hosts: HOSTS.slice(0, 2), ...material }));
    // Two hosts only: a cache for exactly these two is what a default start asks for.
    expect(readCache(join(dir, TLS_CACHE_FILE), HOSTS.slice(0, 2))).toEqual(material);
  });
});

describe('readCache refuses material that is not valid', () => {
  const material = () => createSandboxTls(HOSTS);
  const write = (content: unknown) => {
    const dir = temp.path('bad');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, TLS_CACHE_FILE);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  test('for other hosts', () => {
    expect(readCache(write({ hosts: HOSTS, ...material() }), ['127.0.0.1', 'localhost'])).toBeUndefined();
  });

  test('close to expiry (less than 7 days left)', () => {
    const file = write({ hosts: HOSTS, ...material() });
    expect(readCache(file, HOSTS)).toBeDefined();
    const notAfter = Date.parse(new X509Certificate(material().certPem).validTo);
    expect(readCache(file, HOSTS, notAfter - 6 * 86_400_000)).toBeUndefined();
  });

  test('when the key does not belong to the certificate, or the CA did not issue it', () => {
    const other = createSandboxTls(['127.0.0.1', 'localhost', 'other-ca.local']);
    expect(readCache(write({ hosts: HOSTS, ...material(), keyPem: other.keyPem }), HOSTS)).toBeUndefined();
    expect(readCache(write({ hosts: HOSTS, ...material(), caPem: other.caPem }), HOSTS)).toBeUndefined();
  });

  test('when missing or malformed', () => {
    expect(readCache(join(temp.path('none'), TLS_CACHE_FILE), HOSTS)).toBeUndefined();
    expect(readCache(write('{not json'), HOSTS)).toBeUndefined();
    expect(readCache(write({ hosts: HOSTS, caPem: 'x', certPem: 'y', keyPem: 'z' }), HOSTS)).toBeUndefined();
  });
});
