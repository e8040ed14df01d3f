/**
 * An azure deployment whose ACRBOT_AUDIT_KEY was removed (a redeployment without its Key Vault
 * reference, a setting deleted by hand) does not start on a signed audit log: it would append
 * unsigned entries after signed ones, which audit:verify calls BROKEN, and the key, once back,
 * would refuse to start until the operator vouched for them. A log never signed starts as before.
 * And a store in process memory, allowed in azure mode by ACRBOT_ALLOW_EPHEMERAL_STORAGE, is
 * warned about at every start.
 */
import { loadConfig } from '../../src/config/config';
import { openAppStores } from '../../src/composition/stores';
import { LogCapture } from '../helpers/log-capture';
import { FakeClock } from './support/fake-clock';
import { auditEvent } from './support/requests';
import { useTempDir } from './support/temp-dir';

const KEY = Buffer.alloc(32, 5).toString('base64');
const tmp = useTempDir('acrbot-azure-start-');

/** A complete azure-mode environment (UserAssignedMSI, as the template deploys it) plus `extra`. */
function azure(extra: Record<string, string>): Record<string, string> {
  return {
    ACRBOT_MODE: 'azure',
    MicrosoftAppId: '11111111-1111-4111-8111-111111111111',
    MicrosoftAppType: 'UserAssignedMSI',
    MicrosoftAppTenantId: '22222222-2222-4222-8222-222222222222',
    AZURE_CLIENT_ID: '11111111-1111-4111-8111-111111111111',
    ACRBOT_SUBSCRIPTION_IDS: '33333333-3333-4333-8333-333333333333',
    ACRBOT_APPROVERS: '44444444-4444-4444-8444-444444444444',
    ...extra,
  };
}

/** Starts the stores step of `env`, appends `appends` entries, and closes them again. */
async function startAndAppend(env: Record<string, string>, appends: number, log = new LogCapture()): Promise<void> {
  const stores = await openAppStores(loadConfig(env), new FakeClock(), {}, log.logger());
  try {
    for (let i = 0; i < appends; i++) await stores.audit.append(auditEvent(i + 1));
  } finally {
    await stores.close();
  }
}

/** The newest entry's seq and whether it carries a MAC, read with the key (which checks it). */
async function newestOf(storage: string): Promise<{ seq: number; signed: boolean } | undefined> {
  const stores = await openAppStores(
    loadConfig(azure({ ACRBOT_STORAGE: storage, ACRBOT_AUDIT_KEY: KEY })),
    new FakeClock(),
    {},
    new LogCapture().logger(),
  );
  const [newest] = await stores.audit.latest(1);
  await stores.close();
  return newest && { seq: newest.seq, signed: newest.mac !== undefined };
}

describe('azure mode without ACRBOT_AUDIT_KEY', () => {
  test('a signed audit log stops the start, naming the setting to restore, and nothing is written', async () => {
    const storage = `sqlite:${tmp.path('signed.db')}`;
    await startAndAppend(azure({ ACRBOT_STORAGE: storage, ACRBOT_AUDIT_KEY: KEY }), 2);
    const start = openAppStores(
      loadConfig(azure({ ACRBOT_STORAGE: storage })),
      new FakeClock(),
      {},
      new LogCapture().logger(),
    );
    await expect(start).rejects.toThrow(
      /^ACRBOT_AUDIT_KEY is not set but the audit log is signed \(its newest entry, seq 2, carries a MAC\): restore the setting \(its Key Vault reference/,
    );
    await expect(start).rejects.toMatchObject({ name: 'AuditKeyMissingError' });
    // The key put back starts as before: no unsigned entry stands in its way.
    expect(await newestOf(storage)).toEqual({ seq: 2, signed: true });
  });

  test('a log that was never signed starts and goes on unsigned, as before', async () => {
    const storage = `sqlite:${tmp.path('unsigned.db')}`;
    await startAndAppend(azure({ ACRBOT_STORAGE: storage }), 1);
    await startAndAppend(azure({ ACRBOT_STORAGE: storage }), 1);
    const stores = await openAppStores(
      loadConfig(azure({ ACRBOT_STORAGE: storage })),
      new FakeClock(),
      {},
      new LogCapture().logger(),
    );
    const [newest] = await stores.audit.latest(1);
    await stores.close();
    expect(newest).toMatchObject({ seq: 2 });
    expect(newest?.mac).toBeUndefined();
  });
});

describe('ACRBOT_ALLOW_EPHEMERAL_STORAGE=true in azure mode', () => {
  const warning = /^ACRBOT_ALLOW_EPHEMERAL_STORAGE=true: the store is in process memory, so every restart loses/;

  test.each(['memory', 'sqlite::memory:'])('ACRBOT_STORAGE=%s: a warning at every start', async (storage) => {
    const env = azure({ ACRBOT_STORAGE: storage, ACRBOT_ALLOW_EPHEMERAL_STORAGE: 'true', NODE_ENV: 'production' });
    for (let start = 0; start < 2; start++) {
      const log = new LogCapture();
      await startAndAppend(env, 0, log);
      expect(log.entries().filter((e) => warning.test(String(e.msg)))).toEqual([
        expect.objectContaining({ level: 40 }),
      ]);
    }
  });

  test('a store on disk: no such warning, with the switch or without', async () => {
    for (const allow of ['true', 'false']) {
      const log = new LogCapture();
      const env = azure({ ACRBOT_STORAGE: `sqlite:${tmp.path('disk.db')}`, ACRBOT_ALLOW_EPHEMERAL_STORAGE: allow });
      await startAndAppend(env, 0, log);
      expect(log.entries().filter((e) => warning.test(String(e.msg)))).toEqual([]);
    }
  });
});
