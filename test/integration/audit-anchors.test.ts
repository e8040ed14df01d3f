/**
 * G11 beyond the store: the chain head is published as signed lines in an append blob (Azurite's
 * blob service here, an immutable container in Azure). Someone who rewrites the store, even with
 * the audit key, or cuts its tail, is caught by comparing the store with what was published.
 * An anchor location with no anchors (a mistyped container, none published) is an error, exit 2,
 * never "intact".
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCliCaptured } from '../helpers/audit-cli-run';
import { AnchorsUnavailableError, verdictCoverage } from '../../src/domain/audit-anchor';
import { type AuditEntry, chainEntry } from '../../src/domain/audit-chain';
import { publishAnchor, verifyWithAnchors } from '../../src/flows/audit-anchoring';
import { BlobAnchorLog } from '../../src/integrations/store/blob-anchor-log';
import { tablesStores } from '../../src/integrations/store/open-stores';
import { openTablesAccount } from '../../src/integrations/store/tables-client';
import { TablesAuditLog } from '../../src/integrations/store/tables-audit-log';
import { DEV_ACCOUNT, DEV_KEY, startAzurite, type Azurite } from '../helpers/azurite';
import { emptyWorkDir } from '../helpers/test-work-dir';
import { FakeClock, SECOND } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';

jest.setTimeout(60_000);

const KEY = Buffer.alloc(32, 5);
/** The checkout, where the spawned audit CLI's scripts are (it runs elsewhere: emptyWorkDir). */
const ROOT = join(__dirname, '..', '..');
let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/** A log of 5 entries anchored at seq 3 and 5; `start`: the clock's start (the real time for the CLI). */
async function setup(start?: Date) {
  const prefix = azurite.freshPrefix();
  const clock = new FakeClock(start);
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

/**
 * Cuts entries 4 and 5 off the log, their request index rows too (verify names an index row
 * left past the head), and rolls the head back to 3: a chain that verifies on its own.
 */
async function cutTail(log: TablesAuditLog, table: Awaited<ReturnType<typeof setup>>['table']) {
  const third = (await log.entryAt(3))!;
  for (const seq of [5, 4]) {
    const { requestId } = (await log.entryAt(seq))!;
    await table.deleteEntity('audit', rowKey(seq));
    await table.deleteEntity('audit', `q|${requestId}|${String(seq).padStart(12, '0')}`);
  }
  await table.updateEntity({ partitionKey: 'audit', rowKey: 'head', seq: 3, hash: third.hash }, 'Replace');
}

describe('audit anchors (append blob)', () => {
  test('published heads agree with the store: verify with anchors is intact', async () => {
    const { log, anchors } = await setup();
    expect(await anchors.lines()).toHaveLength(2);
    await expect(verifyWithAnchors(log, anchors, KEY)).resolves.toEqual({
      intact: true,
      count: 5,
      anchors: { agree: 2, upToSeq: 5, newestAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    });
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
    await cutTail(log, table);
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
    // Anchored a minute ago: the CLI holds the newest anchor to the real clock.
    const { prefix, log, table, container } = await setup(new Date(Date.now() - 60_000));
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
          [join(ROOT, 'scripts/run-ts.js'), join(ROOT, 'scripts/audit-cli.ts'), 'verify'],
          { cwd: emptyWorkDir(), env },
        );
        return { code: 0, stdout };
      } catch (err) {
        return { code: (err as { code: number }).code, stdout: (err as { stdout: string }).stdout };
      }
    };
    expect(await run()).toEqual({
      code: 0,
      stdout: expect.stringMatching(
        /^intact, 5 entries; MACs checked on all 5 entries; 2 anchors agree, the newest at seq 5, published \d{4}-\d\d-\d\dT[\d:.]+Z\n$/,
      ),
    });
    await cutTail(log, table);
    expect(await run()).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 4: the log ends at seq 3/),
    });
  });
});

describe('anchoring that has stopped is NOT VERIFIED, not intact', () => {
  const HOUR = 3_600_000;

  test('anchoring held back for days and brought back: intact, and the verdict says when anchoring paused', async () => {
    const { log, anchors, clock } = await setup();
    const before = clock.now().toISOString();
    clock.advance(10 * 24 * HOUR);
    expect(await publishAnchor(log, anchors, KEY, clock)).toBe(5);
    const verdict = await verifyWithAnchors(log, anchors, KEY, { intervalMs: HOUR, now: clock.now() });
    expect(verdict).toMatchObject({
      intact: true,
      anchors: { agree: 3, upToSeq: 5, pauses: [{ from: before, to: clock.now().toISOString() }] },
    });
    expect(verdictCoverage(verdict as Parameters<typeof verdictCoverage>[0], true)).toContain(
      `anchoring paused once (from ${before} to ${clock.now().toISOString()}): entries written and cut then would not show`,
    );
    // Anchors an interval apart: no pause to speak of.
    const fresh = await setup();
    const quiet = await verifyWithAnchors(fresh.log, fresh.anchors, KEY, { intervalMs: HOUR, now: fresh.clock.now() });
    expect(quiet).toMatchObject({ intact: true });
    expect((quiet as { anchors: { pauses?: unknown } }).anchors.pauses).toBeUndefined();
  });

  test('entries past the newest anchor, or the newest anchor itself, older than two intervals (and some slack) throw; within them the verdict stands', async () => {
    const { log, anchors, clock } = await setup();
    // Nothing past the newest anchor, but no anchor for a month although one is published every
    // interval, written or not: the entries of that month could have been cut with the head moved
    // back (what the job's stop would hide), so the store is not verified.
    const month = verifyWithAnchors(log, anchors, KEY, {
      intervalMs: HOUR,
      now: new Date(clock.now().getTime() + 30 * 24 * HOUR),
    });
    await expect(month).rejects.toThrow(AnchorsUnavailableError);
    await expect(month).rejects.toThrow(
      /^anchoring has stopped or the bot is not running: the newest anchor was published at .*, although one is published every 60 min whether or not entries were written/,
    );
    clock.advance(SECOND);
    await log.append(auditEvent(6));
    const written = Date.parse((await log.entryAt(6))!.ts);
    await expect(
      verifyWithAnchors(log, anchors, KEY, { intervalMs: HOUR, now: new Date(written + 2 * HOUR) }),
    ).resolves.toMatchObject({ intact: true, count: 6, anchors: { upToSeq: 5 } });
    const late = verifyWithAnchors(log, anchors, KEY, {
      intervalMs: HOUR,
      now: new Date(written + 2 * HOUR + 6 * 60_000),
    });
    await expect(late).rejects.toThrow(AnchorsUnavailableError);
    await expect(late).rejects.toThrow(
      /^anchoring has stopped: the newest anchor is at seq 5, and seq 6-6, written from .* on, are not anchored although anchors are published every 60 min/,
    );
  });
});

describe('an anchor location that holds no anchors is an error, never "intact"', () => {
  /**
   * `npm run audit:verify` in-process, on the Tables store of `prefix`, with anchors in
   * `container`; `withoutKey`: ACRBOT_AUDIT_KEY unset. Always run from an empty folder: the CLI
   * reads .env and .data/audit.key from its working directory (in the checkout, a developer's
   * settings and a sandbox run's key, which the test does not control).
   */
  async function cliVerify(prefix: string, container: string, { withoutKey = false } = {}) {
    return runCliCaptured(
      ['verify'],
      {
        ACRBOT_STORAGE: `tables:${azurite.connectionString}`,
        ACRBOT_TABLE_PREFIX: prefix,
        ...(!withoutKey && { ACRBOT_AUDIT_KEY: KEY.toString('base64') }),
        ACRBOT_AUDIT_ANCHOR: `${azurite.connectionString}Container=${container}`,
      },
      emptyWorkDir(),
    );
  }

  /** Someone with the key re-chains entries 2..5 with another outcome (what anchors exist to catch). */
  async function rewriteWithKey(log: TablesAuditLog, table: Awaited<ReturnType<typeof setup>>['table']) {
    let previous = (await log.entryAt(1))!;
    for (let seq = 2; seq <= 5; seq++) {
      const stored = (await log.entryAt(seq))!;
      const forged = chainEntry({ ...stored, outcome: 'granted' }, previous, new Date(stored.ts), KEY);
      await table.updateEntity(
        { partitionKey: 'audit', rowKey: rowKey(seq), docChunks: 1, doc0: JSON.stringify(forged) },
        'Replace',
      );
      previous = forged;
    }
    await table.updateEntity({ partitionKey: 'audit', rowKey: 'head', seq: 5, hash: previous.hash }, 'Replace');
  }

  test('a mistyped container: verify of a log rewritten with the key exits 2, names the container, and never says intact', async () => {
    const { prefix, log, table, container } = await setup();
    await rewriteWithKey(log, table);
    expect(await cliVerify(prefix, container)).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 3/),
    });
    const typo = `${container}x`;
    const wrong = new BlobAnchorLog(
      { kind: 'connectionString', value: azurite.connectionString, container: typo },
      () => new Date(),
    );
    await expect(verifyWithAnchors(log, wrong, KEY)).rejects.toThrow(AnchorsUnavailableError);
    const r = await cliVerify(prefix, typo);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `audit-cli: NOT VERIFIED against anchors: the anchor container "${typo}" of storage account "${DEV_ACCOUNT}" does not exist: check the container name in ACRBOT_AUDIT_ANCHOR (the bot creates it with its first anchor)\n`,
    });
    expect(r.stderr).not.toContain(DEV_KEY);
  });

  test('anchors named but no key to check them: exit 2, not intact (nothing would be checked against a store writer)', async () => {
    const { prefix, container } = await setup();
    const { code, stdout, stderr } = await cliVerify(prefix, container, { withoutKey: true });
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(
      /\naudit-cli: NOT VERIFIED against anchors: ACRBOT_AUDIT_ANCHOR is set but ACRBOT_AUDIT_KEY is not/,
    );
    expect(stderr).not.toContain(DEV_KEY);
  });

  test('a container with no anchor in it (none published yet, or another container): exit 2, not intact', async () => {
    const { prefix, log } = await setup();
    const empty = `empty-${prefix}`.toLowerCase();
    await BlobServiceClient.fromConnectionString(azurite.connectionString).createContainer(empty);
    const anchors = new BlobAnchorLog(
      { kind: 'connectionString', value: azurite.connectionString, container: empty },
      () => new Date(),
    );
    await expect(verifyWithAnchors(log, anchors, KEY)).rejects.toThrow(
      `no anchors found in container "${empty}" of storage account "${DEV_ACCOUNT}"`,
    );
    const r = await cliVerify(prefix, empty);
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('NOT VERIFIED against anchors: no anchors found'),
    });
  });

  test('an append and an anchor landing while the chain is read do not make an honest log BROKEN', async () => {
    const { log, anchors, clock } = await setup();
    // While verify reads the chain, one more entry is appended and anchored (the audit.anchor job).
    const racing = {
      verify: async () => {
        const verdict = await log.verify();
        clock.advance(SECOND);
        await log.append(auditEvent(6));
        expect(await publishAnchor(log, anchors, KEY, clock)).toBe(6);
        return verdict;
      },
      entryAt: (seq: number) => log.entryAt(seq),
    };
    await expect(verifyWithAnchors(racing, anchors, KEY)).resolves.toEqual({
      intact: true,
      count: 5,
      anchors: { agree: 2, upToSeq: 5, newestAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    });
    // Read again, the new entry and its anchor agree too.
    await expect(verifyWithAnchors(log, anchors, KEY)).resolves.toMatchObject({ intact: true, count: 6 });
  });

  test('a broken chain is reported as broken even when the anchors cannot be read', async () => {
    const { prefix, table } = await setup();
    await table.deleteEntity('audit', rowKey(2));
    expect(await cliVerify(prefix, 'no-such-container')).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 3: expected seq 2/),
    });
  });
});
