/**
 * The offline audit review CLI (G11) against a real SQLite file written by the bot's own
 * SqliteAuditLog. The cases run its entry point in-process (runAuditCli: arguments,
 * environment, working directory and output as the script passes them); two run it as
 * operators do, a child process via run-ts, for the script's wiring (exit code, output).
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type AuditEntry, type AuditEvent, chainEntry, verifyChain } from '../../src/domain/audit-chain';
import { loadConfig } from '../../src/config/config';
import { openAppStores } from '../../src/composition/stores';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { createLogger } from '../../src/observability/logger';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { parseCsv } from '../unit/support/csv-rows';
import { FakeClock, SECOND } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';
import { useTempDir } from '../unit/support/temp-dir';
import { type CliResult, runCliCaptured } from '../helpers/audit-cli-run';

const ROOT = resolve(__dirname, '..', '..');
const tmp = useTempDir('acrbot-audit-cli-');

/** Runs `audit-cli <args>` in-process, as scripts/audit-cli.ts does; never rejects on a non-zero exit. */
async function cli(...args: string[]): Promise<CliResult> {
  return cliWith({}, ...args);
}

/** {@link cli} with extra environment variables and another working directory. */
async function cliWith(options: { env?: Record<string, string>; cwd?: string }, ...args: string[]): Promise<CliResult> {
  return runCliCaptured(args, { ...process.env, ACRBOT_STORAGE: '', ...options.env }, options.cwd ?? ROOT);
}

/** Runs `audit-cli <args>` as operators do: a child process via run-ts (`npm run audit:verify`). */
async function spawnedCli(...args: string[]): Promise<CliResult> {
  // ACRBOT_STORAGE cleared so only --storage decides which file is read.
  const env = { ...process.env, ACRBOT_STORAGE: '' };
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'scripts/run-ts.js'), join(ROOT, 'scripts/audit-cli.ts'), ...args],
      { cwd: ROOT, env },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * A database file holding `events` appended through SqliteAuditLog (with `key`, MACs); the
 * writer is closed. `keyedFrom`: the first event appended with the key (earlier ones without).
 */
async function auditFile(events: AuditEvent[], key?: Buffer, keyedFrom = 0): Promise<string> {
  const path = tmp.path('audit.db');
  const db = openSqlite(path);
  const clock = new FakeClock();
  const unkeyed = new SqliteAuditLog(db, clock);
  const keyed = new SqliteAuditLog(db, clock, key);
  for (const [i, e] of events.entries()) {
    clock.advance(SECOND);
    await (i >= keyedFrom ? keyed : unkeyed).append(e);
  }
  db.close();
  return path;
}

const events = (n: number) => Array.from({ length: n }, (_, i) => auditEvent(i + 1));
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A second ("attacker") connection that removes the append-only triggers first. */
function tamper(path: string, sql: string): void {
  const attacker = new Database(path);
  attacker.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
  attacker.exec(sql);
  attacker.close();
}

describe("audit CLI and the settings' start warnings", () => {
  test('a misspelt ACRBOT_ name is warned about on stderr as npm start and policy:check --env do; the verdict and exit code stand', async () => {
    const path = await auditFile(events(2));
    const r = await cliWith({ env: { ACRBOT_AUDIT_KY: 'not-a-key-value' } }, 'verify', '--storage', `sqlite:${path}`);
    expect(r).toMatchObject({ code: 0, stdout: 'intact, 2 entries\n' });
    expect(r.stderr).toContain(
      'audit-cli: warning: configuration: ACRBOT_AUDIT_KY is not a setting acrbot reads, so it does nothing: did you mean ACRBOT_AUDIT_KEY?',
    );
    // Names, never values.
    expect(r.stderr).not.toContain('not-a-key-value');
  });

  test('settings that would not start the bot: no warnings, and the CLI still runs (it needs none of them)', async () => {
    const path = await auditFile(events(2));
    const r = await cliWith(
      { env: { ACRBOT_AUDIT_KY: 'x', ACRBOT_MODE: 'azure', MicrosoftAppId: '' } },
      'verify',
      '--storage',
      `sqlite:${path}`,
    );
    expect(r).toMatchObject({ code: 0, stdout: 'intact, 2 entries\n' });
    expect(r.stderr).not.toContain('warning: configuration');
  });
});

describe('audit CLI and the proxy variables (read as the bot reads them)', () => {
  test('a blank HTTPS_PROXY is unset: the log is verified', async () => {
    const path = await auditFile(events(2));
    const env = { HTTPS_PROXY: '  ', https_proxy: '' };
    const r = await cliWith({ env }, 'verify', '--storage', `sqlite:${path}`);
    expect(r).toMatchObject({ code: 0, stdout: 'intact, 2 entries\n' });
  });

  test('a quoted HTTPS_PROXY is refused by name (exit 2), its URL and password never printed', async () => {
    const path = await auditFile(events(2));
    const r = await cliWith(
      { env: { HTTPS_PROXY: '"http://ops:hunter2@proxy.example:3128"' } },
      'verify',
      '--storage',
      `sqlite:${path}`,
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/HTTPS_PROXY.*quotes/);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/hunter2|proxy\.example/);
  });
});

describe('audit:verify', () => {
  test('an intact log: exit 0 and the entry count, and the file is left byte-for-byte unchanged (the script, spawned)', async () => {
    const path = await auditFile(events(5));
    const before = sha256(path);
    const r = await spawnedCli('verify', '--storage', `sqlite:${path}`);
    expect(r).toMatchObject({ code: 0, stdout: 'intact, 5 entries\n' });
    expect(sha256(path)).toBe(before);
  });

  test('reads entries a running bot has not yet checkpointed (WAL) without blocking it', async () => {
    const path = tmp.path('live.db');
    const db = openSqlite(path);
    const log = new SqliteAuditLog(db, new FakeClock());
    for (const e of events(3)) await log.append(e);
    const r = await cli('verify', '--storage', `sqlite:${path}`);
    await log.append(auditEvent(4)); // the writer is not blocked by the reader
    db.close();
    expect(r).toMatchObject({ code: 0, stdout: 'intact, 3 entries\n' });
  });

  test('a modified entry (triggers dropped, JSON updated): exit 1 naming its seq (the script, spawned)', async () => {
    const path = await auditFile(events(5));
    tamper(
      path,
      'UPDATE audit SET entry = replace(entry, \'"outcome":"pending"\', \'"outcome":"granted"\') WHERE seq = 3',
    );
    const r = await spawnedCli('verify', '--storage', `sqlite:${path}`);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^BROKEN at seq 3: content does not match its hash/);
  });

  test("an entry hidden from its request (the index column changed, or a second 'ts' key put first) is BROKEN, and export still selects it by the entry", async () => {
    const path = await auditFile(
      Array.from({ length: 4 }, (_, i) => auditEvent(i + 1, { requestId: `R-AAAAAAA${'BCDE'[i]}` })),
    );
    const [third] = (await cli('export', '--format', 'jsonl', '--storage', `sqlite:${path}`)).stdout
      .trim()
      .split('\n')
      .slice(2, 3)
      .map((line) => JSON.parse(line) as { requestId?: string; ts: string });
    // A duplicate "ts" key first: SQLite's json_extract reads it, JSON.parse (and the hash) the last.
    tamper(path, `UPDATE audit SET entry = '{"ts":"1999-01-01T00:00:00.000Z",' || substr(entry, 2) WHERE seq = 3`);
    const since = await cli('export', '--format', 'jsonl', '--since', third.ts, '--storage', `sqlite:${path}`);
    expect(since).toMatchObject({ code: 0, stderr: '' });
    expect(
      since.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { seq: number }).seq),
    ).toContain(3);
    if (third.requestId) {
      tamper(path, `UPDATE audit SET request_id = 'R-ZZZZZZZZ' WHERE seq = 3`);
      const byRequest = await cli(
        'export',
        '--format',
        'jsonl',
        '--request',
        third.requestId,
        '--storage',
        `sqlite:${path}`,
      );
      expect(
        byRequest.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { seq: number }).seq),
      ).toContain(3);
      expect(await cli('verify', '--storage', `sqlite:${path}`)).toMatchObject({
        code: 1,
        stdout: expect.stringMatching(/^BROKEN at seq 3: the entry's request index differs from the entry/),
      });
    } else throw new Error('the test events should name a request');
  });

  test('a garbled entry and a deleted tail are both named', async () => {
    const garbled = await auditFile(events(4));
    tamper(garbled, "UPDATE audit SET entry = 'not json' WHERE seq = 2");
    expect(await cli('verify', '--storage', `sqlite:${garbled}`)).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 2: .*not valid JSON/),
    });
    // Valid JSON that is not an entry: BROKEN (exit 1), not a crash of the check (exit 2).
    const nulled = await auditFile(events(4));
    tamper(nulled, "UPDATE audit SET entry = 'null' WHERE seq = 2");
    expect(await cli('verify', '--storage', `sqlite:${nulled}`)).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 2: the stored entry is not an audit entry/),
    });
    const truncated = await auditFile(events(4));
    tamper(truncated, 'DELETE FROM audit WHERE seq = 4');
    expect(await cli('verify', '--storage', `sqlite:${truncated}`)).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 4: .*deleted from the end/),
    });
  });

  test('an entry dropped from the middle, and two entries swapped, are named by seq (exit 1)', async () => {
    const dropped = await auditFile(events(4));
    tamper(dropped, 'DELETE FROM audit WHERE seq = 2');
    expect(await cli('verify', '--storage', `sqlite:${dropped}`)).toMatchObject({
      code: 1,
      stdout: 'BROKEN at seq 3: expected seq 2, found 3 (an entry was deleted, inserted or reordered)\n',
    });
    const swapped = await auditFile(events(4));
    tamper(swapped, 'UPDATE audit SET seq = -seq WHERE seq IN (2, 3); UPDATE audit SET seq = 5 + seq WHERE seq < 0');
    expect(await cli('verify', '--storage', `sqlite:${swapped}`)).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 2: the entry stored at this position belongs elsewhere/),
    });
  });

  test('a missing file: exit 2, a clear message, and nothing is created', async () => {
    const path = join(tmp.path('absent'), 'sub', 'acrbot.db');
    const r = await cli('verify', '--storage', `sqlite:${path}`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no audit database at ${path}`);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(dirname(path))).toBe(false);
  });

  test('memory storage and bad settings: exit 2 with the reason', async () => {
    expect(await cli('verify', '--storage', 'memory')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('nothing to review offline'),
    });
    expect(await cli('verify', '--storage', 'postgres://x')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('ACRBOT_STORAGE: must be "memory", "sqlite:<path>", "tables:'),
    });
    const notDb = tmp.path('not-a.db');
    writeFileSync(notDb, 'hello');
    expect(await cli('verify', '--storage', `sqlite:${notDb}`)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('cannot read'),
    });
  });
});

describe('audit:verify with the audit key', () => {
  const KEY = Buffer.alloc(32, 11);
  const withKey = { env: { ACRBOT_AUDIT_KEY: KEY.toString('base64') } };

  /** What an attacker without the key does: every entry re-chained from seq 1, no MACs, head moved. */
  function rewriteWithoutMacs(path: string): void {
    const attacker = new Database(path);
    attacker.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
    const rows = attacker.prepare('SELECT seq, entry FROM audit ORDER BY seq').all() as {
      seq: number;
      entry: string;
    }[];
    let previous: AuditEntry | undefined;
    for (const row of rows) {
      const stored = JSON.parse(row.entry) as AuditEntry;
      const forged = chainEntry(
        { ...stored, actor: { objectId: 'mallory', name: 'Mallory' } },
        previous,
        new Date(stored.ts),
      );
      attacker.prepare('UPDATE audit SET entry = ? WHERE seq = ?').run(JSON.stringify(forged), row.seq);
      previous = forged;
    }
    attacker.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1').run(previous!.seq, previous!.hash);
    attacker.close();
  }

  test('a keyed log says how many entries were MAC-checked; rewritten from seq 1 without MACs it is BROKEN (exit 1)', async () => {
    const path = await auditFile(events(3), KEY);
    expect(await cliWith(withKey, 'verify', '--storage', `sqlite:${path}`)).toMatchObject({
      code: 0,
      stdout: 'intact, 3 entries; MACs checked on all 3 entries\n',
      // Without anchors a cut tail (head moved back with it) cannot show: said, not implied.
      stderr: expect.stringContaining('no ACRBOT_AUDIT_ANCHOR, so newest entries removed'),
    });
    rewriteWithoutMacs(path);
    expect(await cli('verify', '--storage', `sqlite:${path}`)).toMatchObject({ code: 0 }); // hashes alone are fooled
    const r = await cliWith(withKey, 'verify', '--storage', `sqlite:${path}`);
    expect(r).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(
        /^BROKEN at seq 1: none of the 3 entries carries a MAC although the audit key is set/,
      ),
    });
    expect(r.stdout + r.stderr).not.toContain(KEY.toString('base64'));
  });

  test('a log written without the key (or stripped of its MACs) is signed only when the operator vouches for it up to its newest entry', async () => {
    const path = await auditFile(events(2));
    // Before any start with the key, the MAC-less log cannot be told from a stripped rewrite.
    expect(await cliWith(withKey, 'verify', '--storage', `sqlite:${path}`)).toMatchObject({ code: 1 });
    const start = (adopt?: string) =>
      openAppStores(
        loadConfig({
          ACRBOT_STORAGE: `sqlite:${path}`,
          ACRBOT_AUDIT_KEY: KEY.toString('base64'),
          ...(adopt && { ACRBOT_AUDIT_ADOPT_UNSIGNED: adopt }),
        }),
        new FakeClock(),
        {},
        createLogger({ level: 'silent' }),
      );
    // Unasked, or for another seq: the start stops, and nothing is written.
    await expect(start()).rejects.toThrow(
      /^The audit log's newest entry \(seq 2\) carries no MAC although ACRBOT_AUDIT_KEY is set: .* start once with ACRBOT_AUDIT_ADOPT_UNSIGNED=2/,
    );
    await expect(start('1')).rejects.toThrow(/\(it is 1, not 2\)/);
    expect(await cliWith(withKey, 'verify', '--storage', `sqlite:${path}`)).toMatchObject({ code: 1 });
    const stores = await start('2');
    const [newest] = await stores.audit.latest(1);
    await stores.close();
    expect(newest).toMatchObject({
      seq: 3,
      action: 'audit.key.enabled',
      detail: 'entries from seq 3 on carry a MAC; seq 1-2 vouched for by the operator (ACRBOT_AUDIT_ADOPT_UNSIGNED)',
    });
    expect(newest.mac).toBeDefined();
    expect(await cliWith(withKey, 'verify', '--storage', `sqlite:${path}`)).toMatchObject({
      code: 0,
      stdout:
        "intact, 3 entries; MACs checked on 1 entry, seq 3 (seq 1-2 predate the audit key, vouched for by the operator's adoption at seq 3 and pinned to it by the hash chain)\n",
    });
  });

  test('a start with another key than the log was signed with is refused, and nothing is written', async () => {
    const path = await auditFile(events(2), KEY);
    const other = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({ ACRBOT_STORAGE: `sqlite:${path}`, ACRBOT_AUDIT_KEY: other });
    await expect(openAppStores(config, new FakeClock(), {}, createLogger({ level: 'silent' }))).rejects.toThrow(
      /^ACRBOT_AUDIT_KEY is not the key the audit log's newest entry \(seq 2\) was signed with/,
    );
    // The log is as it was: still intact under its own key.
    expect(await cliWith(withKey, 'verify', '--storage', `sqlite:${path}`)).toMatchObject({ code: 0 });
  });

  test('entries from before the key: the verdict names the seq MACs are checked from', async () => {
    const path = await auditFile([...events(2), auditEvent(3, { action: 'audit.key.enabled' }), auditEvent(4)], KEY, 2);
    expect(await cliWith(withKey, 'verify', '--storage', `sqlite:${path}`)).toMatchObject({
      code: 0,
      stdout:
        "intact, 4 entries; MACs checked on 2 entries, seq 3-4 (seq 1-2 predate the audit key, vouched for by the operator's adoption at seq 3 and pinned to it by the hash chain)\n",
    });
  });

  test('the sandbox key file (found, not given): a log it never signed is checked by hashes, with a note; a MAC-less tail after its MACs is still BROKEN', async () => {
    const cwd = tmp.path('sandbox');
    mkdirSync(join(cwd, '.data'), { recursive: true });
    writeFileSync(join(cwd, '.data', 'audit.key'), KEY.toString('base64'));
    const inSandbox = { cwd, env: { ACRBOT_AUDIT_KEY: '' } };
    const unsigned = await auditFile(events(3));
    const r = await cliWith(inSandbox, 'verify', '--storage', `sqlite:${unsigned}`);
    expect(r).toMatchObject({ code: 0, stdout: 'intact, 3 entries\n' });
    expect(r.stderr).toContain('no entry carries a MAC, so this log was not written with .data/audit.key');
    const signed = await auditFile(events(2), KEY);
    expect(await cliWith(inSandbox, 'verify', '--storage', `sqlite:${signed}`)).toMatchObject({
      code: 0,
      stdout: 'intact, 2 entries; MACs checked on all 2 entries\n',
    });
    const db = openSqlite(signed);
    await new SqliteAuditLog(db, new FakeClock('2030-01-01T00:00:00.000Z')).append(auditEvent(3));
    db.close();
    expect(await cliWith(inSandbox, 'verify', '--storage', `sqlite:${signed}`)).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 3: the entry has no MAC although earlier entries have one/),
    });
  });
  test('a damaged sandbox key file: exit 2 naming the file, nothing verified (not hashes alone with a short key)', async () => {
    const cwd = tmp.path('sandbox-damaged-key');
    mkdirSync(join(cwd, '.data'), { recursive: true });
    writeFileSync(join(cwd, '.data', 'audit.key'), KEY.toString('base64').slice(0, 12));
    const path = await auditFile(events(2), KEY);
    const r = await cliWith({ cwd, env: { ACRBOT_AUDIT_KEY: '' } }, 'verify', '--storage', `sqlite:${path}`);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain(`${join(cwd, '.data', 'audit.key')} holds no audit key`);
    expect(r.stderr).not.toContain(KEY.toString('base64').slice(0, 12));
  });
});

describe('audit:verify --require-key (scheduled checks: the MACs, or a failure)', () => {
  const KEY = Buffer.alloc(32, 12);
  const withKey = { env: { ACRBOT_AUDIT_KEY: KEY.toString('base64') } };

  test('without a key: exit 2 and nothing verified, where the plain check says intact by hashes', async () => {
    const path = await auditFile(events(3), KEY);
    // A working directory without the sandbox's .data/audit.key, and no ACRBOT_AUDIT_KEY.
    const cwd = tmp.path('no-key-here');
    mkdirSync(cwd, { recursive: true });
    const noKey = { cwd, env: { ACRBOT_AUDIT_KEY: '' } };
    expect(await cliWith(noKey, 'verify', '--storage', `sqlite:${path}`)).toMatchObject({ code: 0 });
    const r = await cliWith(noKey, 'verify', '--storage', `sqlite:${path}`, '--require-key');
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/--require-key: no ACRBOT_AUDIT_KEY .*nothing was verified/);
    // --no-anchor: this store has no anchors (audit-cli-require-key.test.ts: without it, exit 2).
    expect(
      await cliWith(withKey, 'verify', '--storage', `sqlite:${path}`, '--require-key', '--no-anchor'),
    ).toMatchObject({
      code: 0,
      stdout: 'intact, 3 entries; MACs checked on all 3 entries\n',
    });
  });

  test('with the sandbox key file, a log no entry of which carries a MAC is BROKEN, not checked by hashes', async () => {
    const cwd = tmp.path('sandbox-strict');
    mkdirSync(join(cwd, '.data'), { recursive: true });
    writeFileSync(join(cwd, '.data', 'audit.key'), KEY.toString('base64'));
    const unsigned = await auditFile(events(3));
    const r = await cliWith(
      { cwd, env: { ACRBOT_AUDIT_KEY: '' } },
      'verify',
      '--storage',
      `sqlite:${unsigned}`,
      '--require-key',
      '--no-anchor',
    );
    expect(r).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 1: none of the 3 entries carries a MAC/),
    });
  });
});

describe('audit:export', () => {
  test('jsonl: one entry per line in seq order, identical to the store, and re-verifiable offline', async () => {
    const path = await auditFile(events(6));
    const before = sha256(path);
    const r = await cli('export', '--format', 'jsonl', '--storage', `sqlite:${path}`);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const exported = lines.map((l) => JSON.parse(l) as AuditEntry);
    expect(exported.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const db = new Database(path, { readonly: true });
    const stored = (db.prepare('SELECT entry FROM audit ORDER BY seq').all() as { entry: string }[]).map((row) =>
      JSON.parse(row.entry),
    );
    db.close();
    expect(exported).toEqual(stored);
    expect(verifyChain(exported)).toEqual({ intact: true, count: 6 });
    // The offline check catches an edit made to the export itself.
    exported[4].detail = 'edited after export';
    expect(verifyChain(exported)).toMatchObject({ intact: false, brokenAtSeq: 5 });
    expect(sha256(path)).toBe(before);
  });

  test('--out writes the file (owner-only) and --request / --since select entries', async () => {
    const path = await auditFile([
      auditEvent(1, { requestId: 'R-AAAA2222' }),
      auditEvent(2, { requestId: 'R-BBBB3333' }),
      auditEvent(3, { requestId: 'R-AAAA2222' }),
    ]);
    const out = tmp.path('export.jsonl');
    const r = await cli(
      'export',
      '--format',
      'jsonl',
      '--out',
      out,
      '--request',
      'R-AAAA2222',
      '--storage',
      `sqlite:${path}`,
    );
    expect(r).toMatchObject({ code: 0, stderr: `exported 2 entries to ${out}\n` });
    expect(
      readFileSync(out, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as AuditEntry).seq),
    ).toEqual([1, 3]);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    // FakeClock starts at 09:00:00Z and each append advances 1 s.
    const since = await cli(
      'export',
      '--format',
      'jsonl',
      '--since',
      '2025-01-15T09:00:02Z',
      '--storage',
      `sqlite:${path}`,
    );
    expect(
      since.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as AuditEntry).seq),
    ).toEqual([2, 3]);
  });

  test('csv: header, RFC 4180 quoting, and formula-injection-safe cells', async () => {
    const path = await auditFile([
      auditEvent(1, {
        actor: { objectId: 'oid-1', name: '=HYPERLINK("http://evil","x")' },
        detail: 'a, "quoted" detail',
        correlationIds: ['c1', 'c2'],
        targetIds: ['/subscriptions/s/a', '/subscriptions/s/b'],
      }),
      auditEvent(2, {
        actor: { objectId: 'oid-2', name: '@SUM(A1)' },
        detail: '+cmd|calc',
        outcome: '-1+2',
        ruleId: 'prod-two',
        policyHash: 'sha256:abc',
        idempotencyKey: 'k-2',
        facts: { deleted: ['/subscriptions/s/a', '=1+1'] },
      }),
      auditEvent(3, { actor: { objectId: 'oid-3', name: '\tTabbed' }, detail: 'line\nbreak' }),
      // A formula after another separator: Excel splits on ";" in much of Europe, LibreOffice on tab too.
      auditEvent(4, { actor: { objectId: 'oid-4', name: 'Tab\t=1+1' }, detail: 'need it;=1+2;@SUM(A1)' }),
    ]);
    const r = await cli('export', '--format', 'csv', '--storage', `sqlite:${path}`);
    expect(r.code).toBe(0);
    expect(
      r.stdout.startsWith(
        // The UTF-8 byte order mark first, so Excel opened by double-click reads the file as UTF-8.
        '\ufeffseq,ts,actor_object_id,actor_name,tenant_id,action,request_id,target_ids,outcome,detail,correlation_ids,prev_hash,hash,rule_id,policy_hash,idempotency_key,facts\r\n',
      ),
    ).toBe(true);
    const [header, ...rows] = parseCsv(r.stdout);
    const col = (row: string[], name: string) => row[header.indexOf(name)];
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => row.length === header.length)).toBe(true);
    // Quoted, so a reader splitting on ";" or tab keeps each as one cell that starts with no formula.
    expect(r.stdout).toContain(',"need it;=1+2;@SUM(A1)",');
    expect(r.stdout).toContain(',"Tab\t=1+1",');
    expect(col(rows[3], 'detail')).toBe('need it;=1+2;@SUM(A1)');
    expect(col(rows[0], 'actor_name')).toBe('\'=HYPERLINK("http://evil","x")');
    expect(col(rows[0], 'detail')).toBe('a, "quoted" detail');
    expect(col(rows[0], 'target_ids')).toBe('/subscriptions/s/a;/subscriptions/s/b');
    expect(col(rows[0], 'correlation_ids')).toBe('c1;c2');
    expect(col(rows[1], 'actor_name')).toBe("'@SUM(A1)");
    expect(col(rows[1], 'detail')).toBe("'+cmd|calc");
    expect(col(rows[1], 'outcome')).toBe("'-1+2");
    // A decision's rule and policy hash (G18) and a retried write's key, as the JSONL export has them.
    expect([col(rows[1], 'rule_id'), col(rows[1], 'policy_hash'), col(rows[1], 'idempotency_key')]).toEqual([
      'prod-two',
      'sha256:abc',
      'k-2',
    ]);
    expect(JSON.parse(col(rows[1], 'facts'))).toEqual({ deleted: ['/subscriptions/s/a', '=1+1'] });
    expect(col(rows[0], 'rule_id')).toBe('');
    expect(col(rows[0], 'facts')).toBe('');
    expect(col(rows[2], 'actor_name')).toBe("'\tTabbed");
    expect(col(rows[2], 'detail')).toBe('line\\nbreak'); // escaped on append (G12)
    // The hashes are exported so the rows can be matched against a re-verified JSONL export.
    expect(col(rows[2], 'prev_hash')).toBe(col(rows[1], 'hash'));
    expect(col(rows[0], 'seq')).toBe('1');
  });

  test('a stored entry that is JSON but no entry (null, a number): exit 1 naming its seq, as verify does, never a crash', async () => {
    // Before: csv, and either format with --request or --since, read fields of the null and
    // ended in "unexpected error: TypeError …" with a stack (exit 2, "not verified").
    for (const stored of ['null', '42']) {
      const path = await auditFile(events(3));
      tamper(path, `UPDATE audit SET entry = '${stored}' WHERE seq = 2`);
      const storage = `sqlite:${path}`;
      for (const args of [
        ['--format', 'csv'],
        ['--format', 'jsonl'],
        ['--format', 'jsonl', '--request', 'R-AAAA2222'],
        ['--format', 'csv', '--since', '2020-01-01'],
      ]) {
        const r = await cli('export', ...args, '--storage', storage);
        expect({ args, stored, code: r.code, stderr: r.stderr }).toEqual({
          args,
          stored,
          code: 1,
          stderr: 'audit-cli: the entry at seq 2 is not an audit entry; run audit:verify\n',
        });
      }
    }
  });

  test('a bad or missing --format, a bad filter or an unknown flag: exit 2 with the reason', async () => {
    const path = await auditFile(events(1));
    const storage = `sqlite:${path}`;
    expect(await cli('export', '--format', 'xml', '--storage', storage)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--format "xml" is not supported; use jsonl or csv'),
    });
    expect(await cli('export', '--storage', storage)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--format is required'),
    });
    expect(await cli('export', '--format', 'csv', '--since', 'yesterday', '--storage', storage)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--since "yesterday"'),
    });
    // Dates the calendar does not have: Date.parse rolls them over (2025-02-30 is 2 March, which
    // would leave out the entries of 1 March), so they are refused like any other non-date.
    for (const since of ['2025-02-30', '2025-04-31T10:00:00Z', '2023-02-29'])
      expect(await cli('export', '--format', 'csv', '--since', since, '--storage', storage)).toMatchObject({
        code: 2,
        stdout: '',
        stderr: expect.stringContaining(`--since "${since}" is not an ISO 8601 date`),
      });
    expect(await cli('export', '--format', 'jsonl', '--since', '2024-02-29', '--storage', storage)).toMatchObject({
      code: 0,
    });
    expect(await cli('export', '--format', 'csv', '--request', 'req-1', '--storage', storage)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not a request id'),
    });
    expect(await cli('export', '--format', 'csv', '--reqest', 'R-AAAA2222', '--storage', storage)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Unknown option '--reqest'"),
    });
  });
});
