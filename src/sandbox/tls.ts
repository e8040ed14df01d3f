/**
 * TLS material for the sandbox emulators.
 *
 * The Azure SDKs refuse to send a bearer token over plain HTTP, so the emulators must speak
 * HTTPS. We mint a throw-away CA and a server certificate signed by it; clients trust the CA
 * explicitly (see `sandbox.ts` for how each client does that).
 *
 * Minting is the slowest part of a sandbox start (two RSA-2048 keys, then node-forge signing in
 * JavaScript: together 0.5–1 s of CPU), so it is kept off the start path (docs/performance.md, P5):
 * {@link prepareSandboxTls} reuses the material cached in a git-ignored folder while it is valid
 * (a start then loads neither node-forge nor generates a key), and otherwise generates the keys
 * in libuv's thread pool, which the app starts during module loading.
 */
import { createPrivateKey, generateKeyPair, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type forge from 'node-forge';

/** PEM-encoded key material for one sandbox process. */
export interface SandboxTls {
  /** The CA certificate clients must trust. */
  caPem: string;
  /** Server certificate (signed by the CA) with SANs for every requested host. */
  certPem: string;
  /** Private key of the server certificate. */
  keyPem: string;
}

/**
 * Tests start many sandboxes, so the result is memoised per process and per host list. Every
 * emulator started with the same hosts (ARM, Graph, Kubernetes) therefore shares one CA, which
 * clients need to trust only once.
 */
const memo = new Map<string, SandboxTls>();
const pending = new Map<string, Promise<SandboxTls>>();

/** Cached material is reused only while it stays valid for at least this long. */
const MIN_REMAINING_VALIDITY_MS = 7 * 86_400_000;

/** The cache file's name inside the cache folder. */
export const TLS_CACHE_FILE = 'sandbox-tls.json';

/** The hosts a sandbox listening on `host` needs in its certificate. */
export function sandboxTlsHosts(host = '127.0.0.1'): string[] {
  return [...new Set([host, '127.0.0.1', 'localhost'])];
}

/**
 * Returns a CA and a server certificate valid for `hosts` (IP SANs for IP addresses, DNS SANs
 * otherwise), generating them on this thread. Cached per process, keyed by the host list.
 */
export function createSandboxTls(hosts: readonly string[] = ['127.0.0.1', 'localhost']): SandboxTls {
  const key = hosts.join(',');
  const cached = memo.get(key);
  if (cached) return cached;
  const made = sign(hosts, rsaKeyPairSync(), rsaKeyPairSync());
  memo.set(key, made);
  return made;
}

/**
 * Like {@link createSandboxTls}, without blocking the event loop: reuses `<cacheDir>/sandbox-tls.json`
 * when it is valid for `hosts` (issued by its CA, matching key, at least 7 more days), else
 * generates both keys in the thread pool and writes the cache (mode 0600). The CA's private key
 * is never stored: the cached CA can sign nothing new. Memoised per process like createSandboxTls.
 */
export function prepareSandboxTls(
  hosts: readonly string[] = ['127.0.0.1', 'localhost'],
  opts: { cacheDir?: string } = {},
): Promise<SandboxTls> {
  const key = hosts.join(',');
  const cached = memo.get(key);
  if (cached) return Promise.resolve(cached);
  let promise = pending.get(key);
  if (!promise) {
    promise = loadOrMint(hosts, opts.cacheDir).then(
      (tls) => {
        memo.set(key, tls);
        pending.delete(key);
        return tls;
      },
      (err: unknown) => {
        pending.delete(key); // the next caller tries again
        throw err;
      },
    );
    pending.set(key, promise);
  }
  return promise;
}

async function loadOrMint(hosts: readonly string[], cacheDir: string | undefined): Promise<SandboxTls> {
  const fromCache = cacheDir ? readCache(join(cacheDir, TLS_CACHE_FILE), hosts) : undefined;
  if (fromCache) return fromCache;
  const [caKeys, serverKeys] = await Promise.all([rsaKeyPairAsync(), rsaKeyPairAsync()]);
  const made = sign(hosts, caKeys, serverKeys);
  if (cacheDir) writeCache(cacheDir, hosts, made);
  return made;
}

/** The cached material if it is complete, consistent and valid for `hosts`; else undefined. */
export function readCache(file: string, hosts: readonly string[], now = Date.now()): SandboxTls | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<SandboxTls> & { hosts?: string[] };
    if (!data.caPem || !data.certPem || !data.keyPem || data.hosts?.join(',') !== hosts.join(',')) return undefined;
    const ca = new X509Certificate(data.caPem);
    const cert = new X509Certificate(data.certPem);
    const valid =
      ca.ca &&
      cert.checkIssued(ca) &&
      cert.verify(ca.publicKey) &&
      cert.checkPrivateKey(createPrivateKey(data.keyPem)) &&
      Date.parse(cert.validTo) - now > MIN_REMAINING_VALIDITY_MS &&
      Date.parse(ca.validTo) - now > MIN_REMAINING_VALIDITY_MS &&
      hosts.every((h) => (isIP(h) ? cert.checkIP(h) : cert.checkHost(h)) !== undefined);
    return valid ? { caPem: data.caPem, certPem: data.certPem, keyPem: data.keyPem } : undefined;
  } catch {
    // Missing, unreadable or malformed: mint new material (and overwrite the cache).
    return undefined;
  }
}

function writeCache(dir: string, hosts: readonly string[], tls: SandboxTls): void {
  try {
    mkdirSync(dir, { recursive: true });
    // Write then rename: parallel starts (test workers) never read half a file.
    const tmp = join(dir, `${TLS_CACHE_FILE}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify({ hosts, ...tls }), { mode: 0o600 });
    renameSync(tmp, join(dir, TLS_CACHE_FILE));
  } catch (err) {
    // The cache only saves time; a read-only folder must not stop the sandbox.
    process.emitWarning(`sandbox TLS cache not written: ${(err as Error).message}`);
  }
}

interface PemKeyPair {
  publicKey: string;
  privateKey: string;
}

function sign(hosts: readonly string[], caPair: PemKeyPair, serverPair: PemKeyPair): SandboxTls {
  // Loaded only when minting: a start with valid cached material does not load node-forge at all.
  const forge = require('node-forge') as typeof import('node-forge');
  const toForge = (pair: PemKeyPair) => ({
    publicKey: forge.pki.publicKeyFromPem(pair.publicKey) as forge.pki.rsa.PublicKey,
    privateKey: forge.pki.privateKeyFromPem(pair.privateKey) as forge.pki.rsa.PrivateKey,
  });
  return mint(forge, hosts, toForge(caPair), toForge(serverPair));
}

type ForgeKeys = { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey };

/**
 * Builds and signs the certificates. Keys come from Node (~50x faster than forge's pure-JS
 * generation); forge only builds and signs the X.509 structures, which Node cannot do.
 */
function mint(
  forge: typeof import('node-forge'),
  hosts: readonly string[],
  caKeys: ForgeKeys,
  serverKeys: ForgeKeys,
): SandboxTls {
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = caKeys.publicKey;
  caCert.serialNumber = serial();
  setValidity(caCert);
  const caSubject = [
    { name: 'commonName', value: 'acrbot sandbox CA' },
    { name: 'organizationName', value: 'acrbot sandbox' },
  ];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(caKeys.privateKey, forge.md.sha256.create());

  const cert = forge.pki.createCertificate();
  cert.publicKey = serverKeys.publicKey;
  cert.serialNumber = serial();
  setValidity(cert);
  cert.setSubject([{ name: 'commonName', value: hosts[0] ?? 'localhost' }]);
  cert.setIssuer(caSubject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caPem: forge.pki.certificateToPem(caCert),
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(serverKeys.privateKey),
  };
}

const RSA_OPTIONS = {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
} as const;

function rsaKeyPairSync(): PemKeyPair {
  return generateKeyPairSync('rsa', RSA_OPTIONS);
}

/** In libuv's thread pool: the event loop (and module loading) go on meanwhile. */
function rsaKeyPairAsync(): Promise<PemKeyPair> {
  return new Promise((resolve, reject) =>
    generateKeyPair('rsa', RSA_OPTIONS, (err, publicKey, privateKey) =>
      err ? reject(err) : resolve({ publicKey, privateKey }),
    ),
  );
}

/** A positive serial: a leading 0x01 byte keeps the DER integer from being read as negative. */
function serial(): string {
  return '01' + randomBytes(15).toString('hex');
}

function setValidity(cert: forge.pki.Certificate): void {
  // Backdate a day so small clock differences between processes never make it "not yet valid".
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600e3);
  cert.validity.notAfter = new Date(now + 365 * 24 * 3600e3);
}
