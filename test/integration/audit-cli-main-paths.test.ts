/**
 * runAuditCli paths the other CLI tests leave open: `verify --file --require-key` on a filtered
 * export with the sandbox's key file that signed none of it is not verified (exit 2), never a
 * pass on hashes alone; the read-only database an export opens is closed when it ends; and
 * anchors named without the key that signed them are refused before any is read.
 */
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCliCaptured } from '../helpers/audit-cli-run';
import { writeAuditFile } from '../unit/support/audit-file';
import { HOUR } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';
import { useTempDir } from '../unit/support/temp-dir';

const KEY = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 8);
const REQUEST = 'R-7KQ2M9XD';
const tmp = useTempDir('acrbot-audit-cli-main-paths-');

/** A working directory whose `.data/audit.key` holds `key`. */
function cwdWithKey(key: Buffer): string {
  const cwd = tmp.path('cwd');
  mkdirSync(join(cwd, '.data'), { recursive: true });
  writeFileSync(join(cwd, '.data', 'audit.key'), key.toString('base64'), { mode: 0o600 });
  return cwd;
}

function cli(args: string[], cwd = tmp.path('cwd')) {
  return runCliCaptured(args, { ACRBOT_STORAGE: '', ACRBOT_AUDIT_KEY: '', ACRBOT_AUDIT_ANCHOR: '' }, cwd);
}

/** 6 entries signed with KEY; seq 2, 4 and 5 are of REQUEST. */
const auditFile = (): Promise<string> =>
  writeAuditFile(tmp.path('audit.db'), 6, {
    start: '2025-01-15T00:00:00.000Z',
    step: HOUR,
    key: KEY,
    event: (i) => auditEvent(i, [2, 4, 5].includes(i) ? { requestId: REQUEST } : {}),
  });

afterEach(() => jest.restoreAllMocks());

test("verify --file --require-key on a filtered export the sandbox's key file did not sign: not verified (exit 2)", async () => {
  const out = tmp.path('export.jsonl');
  const db = await auditFile();
  expect(
    await cli(['export', '--format', 'jsonl', '--storage', `sqlite:${db}`, '--out', out, '--request', REQUEST]),
  ).toMatchObject({ code: 0 });
  const cwd = cwdWithKey(OTHER);
  const keyFile = resolve(cwd, '.data', 'audit.key');
  const required = await cli(['verify', '--file', out, '--require-key', '--no-anchor'], cwd);
  expect(required).toMatchObject({ code: 2, stdout: '' });
  expect(required.stderr).toContain(
    `audit-cli: not verified: ${keyFile} is not this export's key (no entry's MAC matches it); set ACRBOT_AUDIT_KEY to the key the log was written with\n`,
  );
  // Without --require-key the key is dropped, and stderr says the MACs were not checked.
  const plain = await cli(['verify', '--file', out], cwd);
  expect(plain.code).toBe(3);
  expect(plain.stderr).toContain(
    `note: ${keyFile} is not this export's key (no entry's MAC matches it); MACs not checked`,
  );
});

test('export closes the read-only database it opened, to stdout and with --out', async () => {
  const db = await auditFile();
  const close = jest.spyOn(Database.prototype, 'close');
  expect(await cli(['export', '--format', 'csv', '--storage', `sqlite:${db}`])).toMatchObject({ code: 0 });
  expect(close).toHaveBeenCalledTimes(1);
  expect(
    await cli(['export', '--format', 'jsonl', '--storage', `sqlite:${db}`, '--out', tmp.path('e.jsonl')]),
  ).toMatchObject({ code: 0 });
  expect(close).toHaveBeenCalledTimes(2);
});

test('ACRBOT_AUDIT_ANCHOR without ACRBOT_AUDIT_KEY: not verified (exit 2) before any anchor is read, the account key never printed', async () => {
  const db = await auditFile();
  const accountKey = Buffer.alloc(64, 5).toString('base64');
  const r = await runCliCaptured(
    ['verify', '--storage', `sqlite:${db}`],
    {
      ACRBOT_STORAGE: '',
      ACRBOT_AUDIT_KEY: '',
      // Nothing listens there: a read of the anchors would fail differently (or hang on retries).
      ACRBOT_AUDIT_ANCHOR: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${accountKey};BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;Container=anchors`,
    },
    tmp.path('cwd'),
  );
  expect(r).toMatchObject({ code: 2, stdout: '' });
  expect(r.stderr).toContain(
    'audit-cli: NOT VERIFIED against anchors: ACRBOT_AUDIT_ANCHOR is set but ACRBOT_AUDIT_KEY is not',
  );
  expect(r.stderr).not.toContain(accountKey);
});
