/**
 * `audit:verify --not-live` on a SQLite log anchored in an append blob (Azurite): a backup file
 * (a copy taken before the last entries) is a prefix, exit 3, never "intact" and never BROKEN; a
 * log whose bot stopped long ago is intact with its anchors; without the flag both keep today's
 * verdicts (BROKEN, exit 1; NOT VERIFIED, exit 2). Without ACRBOT_AUDIT_ANCHOR the flag is refused.
 */
import { copyFileSync } from 'node:fs';
import { publishAnchor } from '../../src/flows/audit-anchoring';
import { BlobAnchorLog } from '../../src/integrations/store/blob-anchor-log';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { runCliCaptured } from '../helpers/audit-cli-run';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { FakeClock, HOUR } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';
import { useTempDir } from '../unit/support/temp-dir';

jest.setTimeout(60_000);

const KEY = Buffer.alloc(32, 9);
const tmp = useTempDir('acrbot-audit-cli-not-live-');
let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/**
 * A SQLite log of 5 entries, each anchored after it is written, starting at `start`; `backup`:
 * a copy of the file taken after entry 3 (as a backup job would).
 */
async function anchoredFile(start: Date) {
  const path = tmp.path('audit.db');
  const backup = tmp.path('backup.db');
  const container = `anchors-${azurite.freshPrefix()}`.toLowerCase();
  const clock = new FakeClock(start);
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
  const env = {
    ACRBOT_STORAGE: '',
    ACRBOT_AUDIT_KEY: KEY.toString('base64'),
    ACRBOT_AUDIT_ANCHOR: `${azurite.connectionString}Container=${container}`,
  };
  const verify = (file: string, ...more: string[]) =>
    runCliCaptured(['verify', '--storage', `sqlite:${file}`, ...more], env, tmp.path('cwd'));
  return { path, backup, verify };
}

test('a backup: BROKEN as the live log (a cut tail), a prefix with --not-live (exit 3), never "intact"', async () => {
  // Anchored within the last hours: the live check's freshness holds, so only the prefix differs.
  const { backup, verify } = await anchoredFile(new Date(Date.now() - 6 * HOUR));
  expect(await verify(backup)).toMatchObject({
    code: 1,
    stdout: expect.stringMatching(/^BROKEN at seq 4: the log ends at seq 3 but seq 4 was anchored/),
  });
  const r = await verify(backup, '--not-live');
  expect(r.code).toBe(3);
  expect(r.stdout).toMatch(
    /^NOT THE WHOLE LOG: a prefix ending at seq 3 of a log anchored up to seq 5 \(published .*\): a backup or a truncated copy; MACs checked on all 3 entries; 3 anchors agree, the newest at seq 3, published .*; checked as a log no bot writes to now/,
  );
  expect(r.stdout).not.toMatch(/intact/);
});

test('a retired log, its last anchor a month old: NOT VERIFIED as the live log (exit 2), intact with --not-live', async () => {
  const { path, verify } = await anchoredFile(new Date(Date.now() - 30 * 24 * HOUR));
  expect(await verify(path)).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('NOT VERIFIED against anchors: anchoring has stopped or the bot is not running'),
  });
  expect(await verify(path, '--not-live')).toMatchObject({
    code: 0,
    stdout: expect.stringMatching(
      /^intact, 5 entries; MACs checked on all 5 entries; 5 anchors agree, the newest at seq 5, published .*; checked as a log no bot writes to now/,
    ),
  });
});

test('--not-live without ACRBOT_AUDIT_ANCHOR is refused (it would change nothing)', async () => {
  const r = await runCliCaptured(
    ['verify', '--storage', `sqlite:${tmp.path('none.db')}`, '--not-live'],
    { ACRBOT_STORAGE: '', ACRBOT_AUDIT_KEY: KEY.toString('base64'), ACRBOT_AUDIT_ANCHOR: '' },
    tmp.path('cwd'),
  );
  expect(r).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--not-live changes only the check against the anchors'),
  });
});
