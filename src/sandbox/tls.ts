/**
 * TLS material for the sandbox emulators.
 *
 * The Azure SDKs refuse to send a bearer token over plain HTTP, so the emulators must speak
 * HTTPS. We mint a throw-away CA at start and a server certificate signed by it; clients trust
 * the CA explicitly (see `sandbox.ts` for how each client does that).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

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
 * Generating RSA keys is the slow part (hundreds of ms), and tests start many sandboxes, so the
 * result is memoised per process and per host list. Every emulator started with the same hosts
 * (ARM, Graph, Kubernetes) therefore shares one CA, which clients need to trust only once.
 */
const memo = new Map<string, SandboxTls>();

/**
 * Returns a CA and a server certificate valid for `hosts` (IP SANs for IP addresses, DNS SANs
 * otherwise). Cached per process, keyed by the host list.
 */
export function createSandboxTls(hosts: readonly string[] = ['127.0.0.1', 'localhost']): SandboxTls {
  const key = hosts.join(',');
  const cached = memo.get(key);
  if (cached) return cached;
  const made = mint(hosts);
  memo.set(key, made);
  return made;
}

function mint(hosts: readonly string[]): SandboxTls {
  // Node's native RSA generation is ~50x faster than forge's pure-JS one; forge then only
  // builds and signs the X.509 structures, which Node cannot do.
  const caKeys = rsaKeyPair();
  const serverKeys = rsaKeyPair();

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

function rsaKeyPair(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(pair.publicKey) as forge.pki.rsa.PublicKey,
    privateKey: forge.pki.privateKeyFromPem(pair.privateKey) as forge.pki.rsa.PrivateKey,
  };
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
