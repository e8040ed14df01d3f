/**
 * The sandbox's audit key file (`.data/audit.key`) deleted or moved while its SQLite store stays:
 * the start is refused, as with any other key, and the key made for the start is not kept — else
 * the next start and `npm run audit:verify` would take it for the log's key, and a restore that
 * does not overwrite (`cp -n`) would keep it. A store with no entries keeps the key it was given.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAppStores } from '../../src/composition/stores';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/observability/logger';
import { TempDirs } from '../helpers/temp-dirs';
import { FakeClock } from '../unit/support/fake-clock';

const temp = new TempDirs();
const home = process.cwd();
afterEach(() => {
  process.chdir(home);
  temp.removeAll();
});

const config = () => loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'sqlite:data/acrbot.db' });
const start = () => openAppStores(config(), new FakeClock(), {}, createLogger({ level: 'silent' }));

/** Starts once in a fresh working directory and writes one entry; answers the key file's path and text. */
async function sandboxWithOneEntry(): Promise<{ keyFile: string; key: string }> {
  process.chdir(temp.make('acrbot-sandbox-key-'));
  const stores = await start();
  await stores.audit.append({
    actor: { objectId: 'u1', name: 'Ada' },
    tenantId: 't1',
    action: 'request.created',
    outcome: 'pending',
    targetIds: [],
  });
  await stores.close();
  const keyFile = join(process.cwd(), '.data', 'audit.key');
  return { keyFile, key: readFileSync(keyFile, 'utf8') };
}

test('a key file deleted under a signed log: the start is refused, no new key file is left, and the original back starts', async () => {
  const { keyFile, key } = await sandboxWithOneEntry();
  rmSync(keyFile);
  await expect(start()).rejects.toThrow(
    `The sandbox's audit key ${keyFile} is missing, and the audit log (its newest entry, seq 1) is signed with it.`,
  );
  expect(existsSync(keyFile)).toBe(false);
  // A second try says the same, rather than "not this log's key" of a key made by the first.
  await expect(start()).rejects.toThrow(/audit key .* is missing/);
  writeFileSync(keyFile, key, { mode: 0o600 });
  const stores = await start();
  expect((await stores.audit.latest(1))[0]).toMatchObject({ seq: 1 });
  await stores.close();
});

test('another key file under a signed log is refused as before, and left where the operator put it', async () => {
  const { keyFile } = await sandboxWithOneEntry();
  writeFileSync(keyFile, Buffer.alloc(32, 7).toString('base64'), { mode: 0o600 });
  await expect(start()).rejects.toThrow(/^ACRBOT_AUDIT_KEY is not the key .* restore \.data\/audit\.key/);
  expect(readFileSync(keyFile, 'utf8')).toBe(Buffer.alloc(32, 7).toString('base64'));
});

test('a first start keeps the key file it made', async () => {
  const { keyFile, key } = await sandboxWithOneEntry();
  expect(key.length).toBeGreaterThan(40);
  expect(existsSync(keyFile)).toBe(true);
});
