/**
 * A store switched (SQLite to Azure Tables) or restored starts empty, and what acrbot granted
 * on the old one is not known there: in azure mode a store holding no request at all says so at
 * start, in one info line pointing to docs/operations.md. A store holding a request says nothing.
 */
import { loadConfig } from '../../src/config/config';
import { openAppStores } from '../../src/composition/stores';
import { LogCapture } from '../helpers/log-capture';
import { FakeClock } from './support/fake-clock';
import { pendingRequest } from './support/requests';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir('acrbot-new-store-');

/** A complete azure-mode environment (UserAssignedMSI, as the template deploys it) on `storage`. */
function azure(storage: string): Record<string, string> {
  return {
    ACRBOT_MODE: 'azure',
    MicrosoftAppId: '11111111-1111-4111-8111-111111111111',
    MicrosoftAppType: 'UserAssignedMSI',
    MicrosoftAppTenantId: '22222222-2222-4222-8222-222222222222',
    AZURE_CLIENT_ID: '11111111-1111-4111-8111-111111111111',
    ACRBOT_SUBSCRIPTION_IDS: '33333333-3333-4333-8333-333333333333',
    ACRBOT_APPROVERS: '44444444-4444-4444-8444-444444444444',
    ACRBOT_STORAGE: storage,
  };
}

const NEW_STORE = /^the store holds no requests: it is new\. If this deployment ran on another store before/;

/** Opens the stores of `env` with a captured log, runs `then` on them, closes them; the log's info+ lines. */
async function start(
  env: Record<string, string>,
  then: (stores: Awaited<ReturnType<typeof openAppStores>>) => Promise<unknown> = async () => undefined,
) {
  const log = new LogCapture();
  const stores = await openAppStores(loadConfig(env), new FakeClock(), {}, log.logger());
  try {
    await then(stores);
  } finally {
    await stores.close();
  }
  return log.entries().filter((e) => String(e.msg).match(NEW_STORE));
}

test('an empty store says at start that it is new, once, at info, pointing to operations.md', async () => {
  const lines = await start(azure(`sqlite:${tmp.path('empty.db')}`));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 30 });
  expect(lines[0]!.msg).toContain('what acrbot granted there is not known here');
  expect(lines[0]!.msg).toContain('docs/operations.md, "Restoring, or changing the store"');
});

test('a store holding a request (any state) says nothing', async () => {
  const storage = `sqlite:${tmp.path('used.db')}`;
  await start(azure(storage), (stores) => stores.requests.create(pendingRequest()));
  expect(await start(azure(storage))).toEqual([]);
});

test('the sandbox says nothing (its store is its own)', async () => {
  expect(await start({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory' })).toEqual([]);
});
