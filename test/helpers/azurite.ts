/**
 * Starts Azurite (the Azure Storage emulator, `azurite@3.35.0` from node_modules) for a test
 * file: in-memory persistence, loopback only, free ports, no telemetry. Each test gets its own
 * table prefix, so tests in one file never see each other's rows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from './free-port';

const ROOT = join(__dirname, '..', '..');
const AZURITE = join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'azurite.js');

/** The emulator's well-known development account (public, documented by Microsoft; not a secret). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A running Azurite. */
export interface Azurite {
  tableEndpoint: string;
  blobEndpoint: string;
  /** Connection string for both services (what `ACRBOT_STORAGE=tables:<…>` takes). */
  connectionString: string;
  /** A fresh table prefix (letters and digits) for one test's stores. */
  freshPrefix(): string;
  stop(): Promise<void>;
  child: ChildProcess;
}

/** Starts Azurite and waits until its Table and Blob services listen (retries once on a port race). */
export async function startAzurite(timeoutMs = 60_000): Promise<Azurite> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startOnce(timeoutMs);
    } catch (err) {
      if (attempt >= 2 || !/EADDRINUSE/.test(String((err as Error).message))) throw err;
    }
  }
}

async function startOnce(timeoutMs: number): Promise<Azurite> {
  const [tablePort, blobPort, queuePort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      AZURITE,
      '--inMemoryPersistence',
      '--extentMemoryLimit',
      '64',
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(tablePort),
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(blobPort),
      '--queueHost',
      '127.0.0.1',
      '--queuePort',
      String(queuePort),
      '--skipApiVersionCheck',
      '--disableTelemetry',
    ],
    // Its own empty working directory is not needed with in-memory persistence; cwd stays the repo.
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Azurite did not start: ${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/Table service is successfully listening/.test(out) && /Blob service is successfully listening/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited ${code}: ${out}`));
    });
  });
  // Keep draining its access log so the pipe never fills and blocks it.
  child.stdout!.resume();
  child.stderr!.resume();
  const tableEndpoint = `http://127.0.0.1:${tablePort}/${DEV_ACCOUNT}`;
  const blobEndpoint = `http://127.0.0.1:${blobPort}/${DEV_ACCOUNT}`;
  return {
    tableEndpoint,
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};TableEndpoint=${tableEndpoint};BlobEndpoint=${blobEndpoint};`,
    freshPrefix: () => `t${randomBytes(6).toString('hex')}`,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * One Azurite for a test file: started before its tests, stopped after them. `conn()` is the
 * store configuration acrbot's Tables code takes for it.
 */
export function useAzurite(): {
  readonly azurite: Azurite;
  conn(): { kind: 'connectionString'; value: string };
} {
  let azurite: Azurite | undefined;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });
  const started = () => {
    if (!azurite) throw new Error('Azurite is not started (use it inside a test)');
    return azurite;
  };
  return {
    get azurite() {
      return started();
    },
    conn: () => ({ kind: 'connectionString', value: started().connectionString }),
  };
}
