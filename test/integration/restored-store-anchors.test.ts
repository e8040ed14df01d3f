/**
 * A store restored from a backup (last night's SQLite file copied back), or replaced (a new file),
 * while ACRBOT_AUDIT_ANCHOR still names the container whose anchors vouch for entries it no longer
 * holds: acrbot does not start, and the `audit.anchor` job publishes nothing, instead of reusing
 * the anchored seqs and forking the append-only anchor log (verify would then call the log
 * rewritten for good). A normal restart, and a first start with no anchor yet, go on as before.
 * Anchors on Azurite's blob service, as in audit-anchors.test.ts.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { loadConfig } from '../../src/config/config';
import { openAppStores, type Stores } from '../../src/composition/stores';
import { AnchorsAheadError } from '../../src/domain/audit-anchor';
import { isUserFacing } from '../../src/domain/errors';
import { publishAnchor, verifyWithAnchors } from '../../src/flows/audit-anchoring';
import { BlobAnchorLog } from '../../src/integrations/store/blob-anchor-log';
import { sqliteStores } from '../../src/integrations/store/open-stores';
import { DEV_KEY, startAzurite, type Azurite } from '../helpers/azurite';
import { LogCapture } from '../helpers/log-capture';
import { FakeClock, HOUR, SECOND } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';
import { useTempDir } from '../unit/support/temp-dir';

jest.setTimeout(60_000);

const KEY = Buffer.alloc(32, 3);
const tmp = useTempDir('acrbot-restored-');
let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/** An azure-mode deployment on a SQLite file, anchoring to a container of its own. */
function deployment() {
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
  const clock = new FakeClock();
  const log = new LogCapture();
  /** The stores step of the start, as the app runs it. */
  const start = () => openAppStores(loadConfig(env), clock, {}, log.logger());
  /** What the `audit.anchor` job runs (app.ts). */
  const publish = (stores: Stores) => publishAnchor(stores.audit, stores.anchors!, stores.auditKey!, clock);
  /** Starts, appends `n` entries, runs the anchor job once, stops. */
  const run = async (n: number): Promise<number | undefined> => {
    const stores = await start();
    try {
      for (let i = 0; i < n; i++) {
        clock.advance(SECOND);
        await stores.audit.append(auditEvent(i + 1));
      }
      return await publish(stores);
    } finally {
      await stores.close();
    }
  };
  /** The anchor container, read directly. */
  const anchors = new BlobAnchorLog({ kind: 'connectionString', value: azurite.connectionString, container }, () =>
    clock.now(),
  );
  /** The file's head, read without the start's checks. */
  const headOf = async (): Promise<number | undefined> => {
    const stores = sqliteStores(db, clock, KEY);
    const [head] = await stores.audit.latest(1);
    await stores.close();
    return head?.seq;
  };
  return { db, clock, log, start, publish, run, anchors, headOf };
}

/** The error `promise` rejects with (undefined when it resolves; the stores are then closed). */
async function refusal(promise: Promise<Stores>): Promise<unknown> {
  return promise.then(
    async (stores) => {
      await stores.close();
      return undefined;
    },
    (err: unknown) => err,
  );
}

describe('a store that does not hold what the anchors vouch for', () => {
  test("last night's SQLite file copied back: the start is refused, naming the anchored seq, the head and what to do; nothing is written", async () => {
    const d = deployment();
    expect(await d.run(3)).toBe(3);
    const backup = tmp.path('backup.db');
    copyFileSync(d.db, backup);
    expect(await d.run(3)).toBe(6);
    copyFileSync(backup, d.db);
    const published = await d.anchors.lines();

    const err = await refusal(d.start());
    expect(err).toBeInstanceOf(AnchorsAheadError);
    const message = (err as Error).message;
    expect(message).toContain(
      'The audit store looks restored from a backup, or replaced: the anchors at ACRBOT_AUDIT_ANCHOR (container "anchors-',
    );
    expect(message).toContain(
      "vouch for entries this store does not hold (the newest anchor is at seq 6, published 2025-01-15T09:00:06.000Z; the store's audit log ends at seq 3). acrbot does not start",
    );
    expect(message).toContain(
      'Follow docs/operations.md, "Restoring, or changing the store": point ACRBOT_AUDIT_ANCHOR at a new container, and keep the old one',
    );
    expect(message).not.toContain(DEV_KEY);
    // Nothing written: the restored log still ends at 3, and the anchor log is as it was.
    expect(await d.headOf()).toBe(3);
    expect(await d.anchors.lines()).toEqual(published);
  });

  test('a new, empty store with the old container: the start is refused, the log named empty', async () => {
    const d = deployment();
    await d.run(2);
    rmSync(d.db);
    const err = await refusal(d.start());
    expect(err).toBeInstanceOf(AnchorsAheadError);
    expect((err as Error).message).toContain(
      "the newest anchor is at seq 2, published 2025-01-15T09:00:02.000Z; the store's audit log is empty)",
    );
  });

  test('a restored store written on by a version without the check: the start and the anchor job refuse ("another one"), and no anchor is appended', async () => {
    const d = deployment();
    await d.run(3);
    const backup = tmp.path('backup.db');
    copyFileSync(d.db, backup);
    await d.run(3);
    copyFileSync(backup, d.db);
    // Written past seq 6 without the start's check, as the version before it did.
    const stores = sqliteStores(d.db, d.clock, KEY);
    for (let i = 10; i <= 14; i++) {
      d.clock.advance(SECOND);
      await stores.audit.append(auditEvent(i));
    }
    await stores.close();
    const published = await d.anchors.lines();
    const different =
      "the newest anchor is at seq 6, published 2025-01-15T09:00:06.000Z; the store's audit log ends at seq 8, and its entry 6 is another one";

    const atStart = await refusal(d.start());
    expect(atStart).toBeInstanceOf(AnchorsAheadError);
    expect((atStart as Error).message).toContain(different);

    // The anchor job of an instance already running: refused, user-facing (its report shows it).
    const running = sqliteStores(d.db, d.clock, KEY);
    const err = await publishAnchor(running.audit, d.anchors, KEY, d.clock).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AnchorsAheadError);
    expect(isUserFacing(err)).toBe(true);
    expect((err as Error).message).toContain(different);
    expect((err as Error).message).toContain('acrbot publishes no anchor');
    expect(await d.anchors.lines()).toEqual(published);
    // Verify names the restore by the anchor it contradicts, and no fork follows it.
    expect(await verifyWithAnchors(running.audit, d.anchors, KEY)).toMatchObject({ intact: false, brokenAtSeq: 6 });
    await running.close();
  });
});

describe('a store that holds what the anchors vouch for starts as before', () => {
  test('a first start (no container yet), then restarts with entries past the newest anchor', async () => {
    const d = deployment();
    expect(await d.run(0)).toBeUndefined(); // empty log, no container: nothing to anchor, nothing refused
    expect(await d.run(3)).toBe(3);
    // Entries past the newest anchor (written after it, the next run not due yet): still the same store.
    const stores = await d.start();
    d.clock.advance(SECOND);
    await stores.audit.append(auditEvent(9));
    await stores.close();
    expect(await d.run(1)).toBe(5);
    expect(await d.headOf()).toBe(5);
    expect(d.log.entries().filter((e) => e.level !== undefined && Number(e.level) >= 40)).toEqual([]);
  });

  test('a line in the container not signed with the key (anyone who can append) does not stop the start', async () => {
    const d = deployment();
    await d.run(2);
    const forged = JSON.parse((await d.anchors.lines())[0]!) as Record<string, unknown>;
    await d.anchors.append(JSON.stringify({ ...forged, seq: 99 }));
    expect(await d.run(1)).toBe(3);
  });
});

describe('anchors of more than one day', () => {
  // Anchors are kept one append blob per UTC day, and a backup taken on an earlier day still holds
  // the newest anchor of that day. Found by mutation testing: `newestFirst` yielding the days oldest
  // first let such a restored store start, reuse the anchored seqs and fork the append-only log.
  test('a store restored from the day before: the newest day of anchors is read first, and the start is refused', async () => {
    const d = deployment();
    expect(await d.run(2)).toBe(2);
    const backup = tmp.path('backup.db');
    copyFileSync(d.db, backup);
    d.clock.advance(24 * HOUR);
    expect(await d.run(2)).toBe(4);
    // Two days of anchors, one blob each: seq 2 on the 15th, seq 4 on the 16th.
    const days: number[][] = [];
    for await (const batch of d.anchors.newestFirst())
      days.push(batch.map((line) => (JSON.parse(line) as { seq: number }).seq));
    expect(days).toEqual([[4], [2]]);

    copyFileSync(backup, d.db);
    const err = await refusal(d.start());
    expect(err).toBeInstanceOf(AnchorsAheadError);
    expect((err as Error).message).toContain(
      "the newest anchor is at seq 4, published 2025-01-16T09:00:04.000Z; the store's audit log ends at seq 2)",
    );
  });
});
