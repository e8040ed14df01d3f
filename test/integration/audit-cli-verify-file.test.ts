/**
 * `audit:verify --file`: an export written by the real `audit:export --format jsonl` is verified
 * as the log it came from (hash chain, MACs, anchors as `--not-live`); an entry edited or a line
 * deleted is BROKEN at its seq; a filtered export is "NOT THE WHOLE LOG" (exit 3) with each
 * entry's hash and MAC checked, and with the key an entry edited, its MAC dropped and its hash
 * recomputed is BROKEN there too; a file that is no JSONL export is refused (exit 2) without
 * printing what it holds.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { publishAnchor } from '../../src/flows/audit-anchoring';
import { BlobAnchorLog } from '../../src/integrations/store/blob-anchor-log';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { hashEntry } from '../../src/domain/audit-chain';
import { runCliCaptured } from '../helpers/audit-cli-run';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { writeAuditFile } from '../unit/support/audit-file';
import { FakeClock, HOUR } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';
import { useTempDir } from '../unit/support/temp-dir';

jest.setTimeout(60_000);

const KEY = Buffer.alloc(32, 7);
const REQUEST = 'R-7KQ2M9XD';
const tmp = useTempDir('acrbot-audit-cli-verify-file-');
const keyed = { ACRBOT_AUDIT_KEY: KEY.toString('base64') };

function cli(args: string[], env: Record<string, string> = {}) {
  return runCliCaptured(
    args,
    { ACRBOT_STORAGE: '', ACRBOT_AUDIT_KEY: '', ACRBOT_AUDIT_ANCHOR: '', ...env },
    tmp.path('cwd'),
  );
}

/** 6 entries signed with KEY, an hour apart from 2025-01-15T01:00Z; seq 2, 4 and 5 are of REQUEST. */
const auditFile = (): Promise<string> =>
  writeAuditFile(tmp.path('audit.db'), 6, {
    start: '2025-01-15T00:00:00.000Z',
    step: HOUR,
    key: KEY,
    event: (i) => auditEvent(i, [2, 4, 5].includes(i) ? { requestId: REQUEST } : {}),
  });

/** The JSONL export of `db` (with `filters`), written by the export command itself. */
async function exported(db: string, ...filters: string[]): Promise<string> {
  const out = tmp.path('export.jsonl');
  const r = await cli(['export', '--format', 'jsonl', '--storage', `sqlite:${db}`, '--out', out, ...filters]);
  expect(r.code).toBe(0);
  return out;
}

const verifyFile = (file: string, env: Record<string, string> = keyed, ...more: string[]) =>
  cli(['verify', '--file', file, ...more], env);

/** The file's lines, changed by `change`, written back (each line still ends with a newline). */
function rewrite(file: string, change: (lines: string[]) => string[]): void {
  const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
  writeFileSync(
    file,
    change(lines)
      .map((l) => `${l}\n`)
      .join(''),
  );
}

/**
 * Each entry for which `pick` is true edited as someone without the key can: its detail changed,
 * its MAC dropped and its hash recomputed.
 */
function forge(file: string, pick: (index: number) => boolean): void {
  rewrite(file, (lines) =>
    lines.map((l, i) => {
      if (!pick(i)) return l;
      const { hash: _hash, mac: _mac, ...content } = JSON.parse(l) as Record<string, unknown>;
      const edited = { ...content, detail: 'FORGED' };
      return JSON.stringify({ ...edited, hash: hashEntry(edited as never) });
    }),
  );
}

describe('a whole export', () => {
  test('intact: exit 0, MACs checked; without the key, the hash chain only; stderr says a cut end would not show', async () => {
    const file = await exported(await auditFile());
    const r = await verifyFile(file);
    expect(r).toMatchObject({ code: 0, stdout: 'intact, 6 entries; MACs checked on all 6 entries\n' });
    expect(r.stderr).toContain('an export carries no chain head, so entries cut from its end would not show');
    expect(await verifyFile(file, {})).toMatchObject({ code: 0, stdout: 'intact, 6 entries\n' });
  });

  test('an entry edited is BROKEN at its seq (exit 1), and its content is not printed', async () => {
    const file = await exported(await auditFile());
    rewrite(file, (lines) => lines.map((l, i) => (i === 2 ? l.replace('event 3', 'event X') : l)));
    const r = await verifyFile(file);
    expect(r).toMatchObject({
      code: 1,
      stdout: 'BROKEN at seq 3: content does not match its hash (the entry was modified)\n',
    });
    expect(r.stdout + r.stderr).not.toContain('event X');
  });

  test('a line deleted from the middle is BROKEN where it was (exit 1)', async () => {
    const file = await exported(await auditFile());
    rewrite(file, (lines) => lines.filter((_l, i) => i !== 2));
    expect(await verifyFile(file)).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 4: expected seq 3, found 4/),
    });
  });

  test('two lines swapped are BROKEN (exit 1), not read as a filtered export', async () => {
    const file = await exported(await auditFile());
    rewrite(file, ([a, b, ...rest]) => [b!, a!, ...rest]);
    expect(await verifyFile(file)).toMatchObject({ code: 1, stdout: expect.stringMatching(/^BROKEN at seq 2/) });
  });

  test('a MAC rewritten without the key is BROKEN with the key given', async () => {
    const file = await exported(await auditFile());
    rewrite(file, (lines) =>
      lines.map((l, i) => (i === 4 ? JSON.stringify({ ...JSON.parse(l), mac: 'a'.repeat(64) }) : l)),
    );
    expect(await verifyFile(file)).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 5: the MAC does not match/),
    });
  });
});

describe('a filtered export', () => {
  test('--request: NOT THE WHOLE LOG (exit 3), each entry hash- and MAC-checked; never "intact"', async () => {
    const file = await exported(await auditFile(), '--request', REQUEST);
    const r = await verifyFile(file);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe(
      "NOT THE WHOLE LOG: a filtered export (--request, --since or --until), 3 entries from seq 2 to 5 that are not consecutive from seq 1 (it starts at seq 2): the hash chain cannot be checked, only each entry's own hash, and its MAC with the audit key; entries left out of it or deleted from it do not show; MACs checked on 3 entries\n",
    );
    const unkeyed = await verifyFile(file, {});
    expect(unkeyed.code).toBe(3);
    expect(unkeyed.stdout).toContain('hashes only (no ACRBOT_AUDIT_KEY)');
  });

  test('--since: NOT THE WHOLE LOG (exit 3); an entry edited in it is BROKEN at its seq (exit 1)', async () => {
    const file = await exported(await auditFile(), '--since', '2025-01-15T03:00:00Z');
    expect(await verifyFile(file)).toMatchObject({
      code: 3,
      stdout: expect.stringContaining(
        '4 entries from seq 3 to 6 that are not consecutive from seq 1 (it starts at seq 3)',
      ),
    });
    rewrite(file, (lines) => lines.map((l, i) => (i === 1 ? l.replace('event 4', 'event Y') : l)));
    expect(await verifyFile(file)).toMatchObject({
      code: 1,
      stdout: 'BROKEN at seq 4: content does not match its hash (the entry was modified)\n',
    });
  });

  test('a request starting at seq 1 with a gap reads as filtered; its MAC forged is BROKEN', async () => {
    const path = tmp.path('audit.db');
    const db = openSqlite(path);
    const clock = new FakeClock('2025-01-15T00:00:00.000Z');
    const log = new SqliteAuditLog(db, clock, KEY);
    for (const requestId of [REQUEST, 'req-2', REQUEST]) await log.append(auditEvent(1, { requestId }));
    db.close();
    const file = await exported(path, '--request', REQUEST);
    expect(await verifyFile(file)).toMatchObject({
      code: 3,
      stdout: expect.stringContaining(
        '2 entries from seq 1 to 3 that are not consecutive from seq 1 (seq 3 follows seq 1)',
      ),
    });
    rewrite(file, (lines) =>
      lines.map((l, i) => (i === 1 ? JSON.stringify({ ...JSON.parse(l), mac: 'b'.repeat(64) }) : l)),
    );
    expect(await verifyFile(file)).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 3: the MAC does not match/),
    });
  });
});

describe('a filtered export edited without the key (a MAC dropped, the hash recomputed)', () => {
  const unvouched = /^BROKEN at seq 2: the entry carries no MAC and no signed entry in this export vouches for it/;

  test('every entry: BROKEN at the first (exit 1), with the key and with --require-key; the untouched export exit 3', async () => {
    const file = await exported(await auditFile(), '--request', REQUEST);
    expect((await verifyFile(file, keyed, '--require-key', '--no-anchor')).code).toBe(3);
    forge(file, () => true);
    for (const flags of [[], ['--require-key', '--no-anchor']]) {
      const r = await verifyFile(file, keyed, ...flags);
      expect(r).toMatchObject({ code: 1, stdout: expect.stringMatching(unvouched) });
      expect(r.stdout + r.stderr).not.toContain('FORGED');
    }
  });

  test('only the first entry, the others still signed: BROKEN at it (exit 1)', async () => {
    const file = await exported(await auditFile(), '--request', REQUEST);
    forge(file, (i) => i === 0);
    expect(await verifyFile(file, keyed, '--require-key', '--no-anchor')).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(unvouched),
    });
  });
});

describe('files that are no JSONL export: exit 2, nothing verified, nothing of the file printed', () => {
  test('missing, a directory, a CSV export, not JSON, cut short; --file with --storage', async () => {
    const db = await auditFile();
    expect(await verifyFile(tmp.path('none.jsonl'))).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no export file at'),
    });
    const dir = tmp.path('a-directory');
    mkdirSync(dir);
    expect(await verifyFile(dir)).toMatchObject({ code: 2, stderr: expect.stringContaining('is not a file') });
    const csv = tmp.path('export.csv');
    expect((await cli(['export', '--format', 'csv', '--storage', `sqlite:${db}`, '--out', csv])).code).toBe(0);
    const r = await verifyFile(csv);
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('is a CSV export: verify reads the JSONL export'),
    });
    const text = tmp.path('notes.txt');
    writeFileSync(text, 'event 1 secret notes\n');
    expect(await verifyFile(text)).toMatchObject({ code: 2, stderr: expect.stringContaining('line 1 of') });
    expect((await verifyFile(text)).stderr).not.toContain('secret notes');
    const cut = await exported(db);
    const whole = readFileSync(cut, 'utf8');
    writeFileSync(cut, whole.slice(0, whole.length - 40));
    const truncated = await verifyFile(cut);
    expect(truncated).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('is cut short: its last line (line 6) is not a whole entry'),
    });
    expect(truncated.stderr).not.toContain('event 6');
    expect(await cli(['verify', '--file', cut, '--storage', `sqlite:${db}`])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--file and --storage name two logs'),
    });
  });
});

describe('with ACRBOT_AUDIT_ANCHOR: checked as --not-live', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  test('an export of the whole log is intact a month on; an export of a backup is a prefix (exit 3)', async () => {
    const path = tmp.path('anchored.db');
    const backup = tmp.path('backup.db');
    const container = `anchors-${azurite.freshPrefix()}`.toLowerCase();
    const clock = new FakeClock(new Date(Date.now() - 30 * 24 * HOUR));
    const anchors = new BlobAnchorLog({ kind: 'connectionString', value: azurite.connectionString, container }, () =>
      clock.now(),
    );
    const db = openSqlite(path);
    const log = new SqliteAuditLog(db, clock, KEY);
    for (let i = 1; i <= 5; i++) {
      clock.advance(HOUR);
      await log.append(auditEvent(i));
      await publishAnchor(log, anchors, KEY, clock);
      if (i === 3) db.exec(`VACUUM INTO '${backup}'`);
    }
    db.close();
    const env = { ...keyed, ACRBOT_AUDIT_ANCHOR: `${azurite.connectionString}Container=${container}` };
    expect(await verifyFile(await exported(path), env)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^intact, 5 entries; MACs checked on all 5 entries; 5 anchors agree, the newest at seq 5, published .*; checked as a log no bot writes to now/,
      ),
    });
    const prefix = await verifyFile(await exported(backup), env);
    expect(prefix.code).toBe(3);
    expect(prefix.stdout).toMatch(/^NOT THE WHOLE LOG: a prefix ending at seq 3 of a log anchored up to seq 5/);
  });
});
