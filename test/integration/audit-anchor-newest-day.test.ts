/**
 * The start's check of the store against the anchors reads the newest day's blob first: anchors
 * are kept one append blob per UTC day, and a store restored from a backup taken on an earlier day
 * is held against the newest anchor, not against the newest anchor of the oldest day (which the
 * backup still holds). Found by mutation testing: `newestFirst` yielding the days oldest first let
 * such a restored store start, reuse the anchored seqs and fork the append-only anchor log.
 * Anchors on Azurite's blob service, as in restored-store-anchors.test.ts.
 */
import { copyFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/config';
import { openAppStores, type Stores } from '../../src/composition/stores';
import { AnchorsAheadError } from '../../src/domain/audit-anchor';
import { publishAnchor } from '../../src/flows/audit-anchoring';
import { BlobAnchorLog } from '../../src/integrations/store/blob-anchor-log';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { LogCapture } from '../helpers/log-capture';
import { FakeClock, HOUR, SECOND } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';
import { useTempDir } from '../unit/support/temp-dir';

jest.setTimeout(60_000);

const KEY = Buffer.alloc(32, 5);
const tmp = useTempDir('acrbot-anchor-days-');
let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

test('a store restored from the day before: the newest day of anchors is read first, and the start is refused', async () => {
  const db = tmp.path('acrbot.db');
  const container = `anchors-${azurite.freshPrefix()}`;
  const env = {
    ACRBOT_MODE: 'azure',
    MicrosoftAppId: '11111111-1111-4111-8111-111111111111',
    MicrosoftAppType: 'UserAssignedMSI',
    MicrosoftAppTenantId: '22222222-2222-4222-8222-222222222222',
    AZURE_CLIENT_ID: '11111111-1111-4111-8111-111111111111',
    ACRBOT_SUBSCRIPTION_IDS: '33333333-3333-4333-8333-333333333333',
    ACRBOT_APPROVERS: '44444444-4444-4444-8444-444444444444',
    ACRBOT_STORAGE: `sqlite:${db}`,
    ACRBOT_AUDIT_KEY: KEY.toString('base64'),
    ACRBOT_AUDIT_ANCHOR: `${azurite.connectionString}Container=${container}`,
  };
  const clock = new FakeClock('2025-01-15T09:00:00.000Z');
  const log = new LogCapture();
  const start = () => openAppStores(loadConfig(env), clock, {}, log.logger());
  const run = async (n: number): Promise<number | undefined> => {
    const stores = await start();
    try {
      for (let i = 0; i < n; i++) {
        clock.advance(SECOND);
        await stores.audit.append(auditEvent(i + 1));
      }
      return await publishAnchor(stores.audit, stores.anchors!, stores.auditKey!, clock);
    } finally {
      await stores.close();
    }
  };

  expect(await run(2)).toBe(2);
  const backup = tmp.path('backup.db');
  copyFileSync(db, backup);
  clock.advance(24 * HOUR);
  expect(await run(2)).toBe(4);
  // Two days of anchors, one blob each: seq 2 on the 15th, seq 4 on the 16th.
  const anchors = new BlobAnchorLog({ kind: 'connectionString', value: azurite.connectionString, container }, () =>
    clock.now(),
  );
  const days: number[][] = [];
  for await (const batch of anchors.newestFirst())
    days.push(batch.map((line) => (JSON.parse(line) as { seq: number }).seq));
  expect(days).toEqual([[4], [2]]);

  copyFileSync(backup, db);
  const err = await start().then(
    async (stores: Stores) => {
      await stores.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AnchorsAheadError);
  expect((err as Error).message).toContain(
    "the newest anchor is at seq 4, published 2025-01-16T09:00:04.000Z; the store's audit log ends at seq 2)",
  );
});
