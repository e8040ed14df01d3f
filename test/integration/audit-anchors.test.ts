/**
 * G11 beyond the store: the chain head is published as signed lines in an append blob (Azurite's
 * blob service here, an immutable container in Azure). Someone who rewrites the store, even with
 * the audit key, or cuts its tail, is caught by comparing the store with what was published.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AuditEntry, chainEntry } from '../../src/domain/audit-chain';
import { publishAnchor, verifyWithAnchors } from '../../src/flows/audit-anchoring';
import { BlobAnchorLog } from '../../src/integrations/store/blob-anchor-log';
import { tablesStores } from '../../src/integrations/store/open-stores';
import { openTablesAccount } from '../../src/integrations/store/tables-client';
import { TablesAuditLog } from '../../src/integrations/store/tables-audit-log';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { FakeClock, SECOND } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';

jest.setTimeout(60_000);

const KEY = Buffer.alloc(32, 5);
let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function setup() {
  const prefix = azurite.freshPrefix();
  const clock = new FakeClock();
  const conn = { kind: 'connectionString' as const, value: azurite.connectionString };
  const stores = await tablesStores(conn, clock, prefix, KEY);
  const container = `anchors-${prefix}`.toLowerCase();
  const anchors = new BlobAnchorLog({ kind: 'connectionString', value: azurite.connectionString, container }, () =>
    clock.now(),
  );
  const table = await openTablesAccount(conn, prefix).table('audit');
  const log = stores.audit as TablesAuditLog;
  for (let i = 1; i <= 3; i++) {
    clock.advance(SECOND);
    await log.append(auditEvent(i));
  }
  expect(await publishAnchor(log, anchors, KEY, clock)).toBe(3);
  for (let i = 4; i <= 5; i++) {
    clock.advance(SECOND);
    await log.append(auditEvent(i));
  }
  expect(await publishAnchor(log, anchors, KEY, clock)).toBe(5);
  return { prefix, clock, log, anchors, table, container };
}

const rowKey = (seq: number) => `e|${String(seq).padStart(12, '0')}`;

describe('audit anchors (append blob)', () => {
  test('published heads agree with the store: verify with anchors is intact', async () => {
    const { log, anchors } = await setup();
    expect(await anchors.lines()).toHaveLength(2);
    await expect(verifyWithAnchors(log, anchors, KEY)).resolves.toEqual({ intact: true, count: 5 });
  });

  test('a rewrite with the audit key (hashes and MACs recomputed) passes the chain but is named by the first anchor it contradicts', async () => {
    const { log, anchors, table, clock } = await setup();
    let previous: AuditEntry | undefined;
    for (let seq = 1; seq <= 5; seq++) {
      const stored = (await log.entryAt(seq))!;
      const forged =
        seq < 2
          ? stored
          : chainEntry(
              { ...stored, outcome: seq === 2 ? 'granted' : stored.outcome },
              previous,
              new Date(stored.ts),
              KEY,
            );
      await table.updateEntity(
        { partitionKey: 'audit', rowKey: rowKey(seq), docChunks: 1, doc0: JSON.stringify(forged) },
        'Replace',
      );
      previous = forged;
    }
    await table.updateEntity({ partitionKey: 'audit', rowKey: 'head', seq: 5, hash: previous!.hash }, 'Replace');
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 5 });
    await expect(verifyWithAnchors(log, anchors, KEY)).resolves.toEqual({
      intact: false,
      count: 5,
      brokenAtSeq: 3,
      problem: `entry 3 differs from the anchor published at ${new Date(Date.parse('2025-01-15T09:00:03.000Z')).toISOString()}: the log was rewritten after seq 0 (the last anchored entry that still agrees)`,
    });
    void clock;
  });

  test('a cut tail (entries and head rolled back) is caught by a later anchor', async () => {
    const { log, anchors, table } = await setup();
    const third = (await log.entryAt(3))!;
    await table.deleteEntity('audit', rowKey(5));
    await table.deleteEntity('audit', rowKey(4));
    await table.updateEntity({ partitionKey: 'audit', rowKey: 'head', seq: 3, hash: third.hash }, 'Replace');
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 3 });
    await expect(verifyWithAnchors(log, anchors, KEY)).resolves.toMatchObject({
      intact: false,
      brokenAtSeq: 4,
      problem: expect.stringContaining('the log ends at seq 3 but seq 5 was anchored'),
    });
  });

  test('an anchor line appended without the key is refused', async () => {
    const { log, anchors } = await setup();
    await anchors.append(
      JSON.stringify({ v: 1, seq: 5, hash: 'f'.repeat(64), at: '2025-01-15T10:00:00.000Z', sig: '00' }),
    );
    await expect(verifyWithAnchors(log, anchors, KEY)).resolves.toMatchObject({
      intact: false,
      problem: 'anchor line 3 has a bad signature (not written with the audit key)',
    });
  });

  test('npm run audit:verify checks the anchors with ACRBOT_AUDIT_ANCHOR and names the entry', async () => {
    const { prefix, log, table, container } = await setup();
    const env = {
      PATH: process.env.PATH!,
      ACRBOT_STORAGE: `tables:${azurite.connectionString}`,
      ACRBOT_TABLE_PREFIX: prefix,
      ACRBOT_AUDIT_KEY: KEY.toString('base64'),
      ACRBOT_AUDIT_ANCHOR: `${azurite.connectionString}Container=${container}`,
    };
    const run = async () => {
      try {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          ['scripts/run-ts.js', 'scripts/audit-cli.ts', 'verify'],
          { cwd: join(__dirname, '..', '..'), env },
        );
        return { code: 0, stdout };
      } catch (err) {
        return { code: (err as { code: number }).code, stdout: (err as { stdout: string }).stdout };
      }
    };
    expect(await run()).toEqual({ code: 0, stdout: 'intact, 5 entries\n' });
    const third = (await log.entryAt(3))!;
    await table.deleteEntity('audit', rowKey(5));
    await table.deleteEntity('audit', rowKey(4));
    await table.updateEntity({ partitionKey: 'audit', rowKey: 'head', seq: 3, hash: third.hash }, 'Replace');
    expect(await run()).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 4: the log ends at seq 3/),
    });
  });
});
