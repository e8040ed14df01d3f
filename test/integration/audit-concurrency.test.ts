/**
 * The SQLite audit log under real concurrency (G11) — several processes appending to one
 * file — and a small sentinel scan of what the trail stores (G12; the full-flow G12 test
 * lives in guarantees.test.ts).
 */
import Database from 'better-sqlite3';
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { type AuditEntry, type AuditEvent, verifyChain } from '../../src/domain/audit-chain';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { FakeClock } from '../unit/support/fake-clock';
import { useTempDir } from '../unit/support/temp-dir';

const ROOT = resolve(__dirname, '..', '..');
const tmp = useTempDir('acrbot-audit-concurrency-');

const WORKERS = 4;
const PER_WORKER = 250;

/**
 * The child's source, written to the temp dir at test time (run-ts compiles any .ts path).
 * It opens the file the way the bot does, reports "ready", and appends only after "go" on
 * stdin, so all workers really contend for the write lock at once.
 */
const workerSource = `
import { SqliteAuditLog } from ${JSON.stringify(resolve(ROOT, 'src/integrations/store/sqlite-audit-log'))};
import { openSqlite } from ${JSON.stringify(resolve(ROOT, 'src/integrations/store/sqlite-database'))};
const [path, worker, count] = process.argv.slice(2);
const db = openSqlite(path);
const log = new SqliteAuditLog(db, { now: () => new Date() });
process.stdout.write('ready\\n');
process.stdin.once('data', async () => {
  for (let i = 1; i <= Number(count); i++) {
    await log.append({ actor: { objectId: 'worker-' + worker, name: 'Worker ' + worker }, tenantId: 't', action: 'request.created', targetIds: ['/subscriptions/s/x'], outcome: 'pending', detail: worker + ':' + i });
    // Yield between appends, as the bot does between turns, so workers interleave.
    await new Promise((r) => setImmediate(r));
  }
  db.close();
  process.stdin.destroy();
});
`;

function startWorker(script: string, dbPath: string, worker: number): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['scripts/run-ts.js', script, dbPath, String(worker), String(PER_WORKER)], {
    cwd: ROOT,
    stdio: 'pipe',
  });
}

/** Resolves once the child printed "ready" (rejects if it exits first). */
async function ready(child: ChildProcessWithoutNullStreams): Promise<void> {
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((done, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) done();
    });
    child.once('exit', (code) => fail(new Error(`worker exited (${code}) before ready: ${err}`)));
  });
}

describe('SqliteAuditLog with several processes on one file', () => {
  test(`${WORKERS} processes × ${PER_WORKER} concurrent appends → one gap-free, intact chain`, async () => {
    const dbPath = tmp.path('shared.db');
    // The bot creates the file; workers then open an existing WAL database.
    openSqlite(dbPath).close();
    const script = tmp.path('append-worker.ts');
    writeFileSync(script, workerSource);

    const workers = Array.from({ length: WORKERS }, (_, w) => startWorker(script, dbPath, w + 1));
    await Promise.all(workers.map(ready));
    const exits = workers.map((c) => once(c, 'exit'));
    for (const c of workers) c.stdin.write('go\n');
    const codes = (await Promise.all(exits)).map(([code]) => code);
    expect(codes).toEqual(Array(WORKERS).fill(0));

    const db = openSqlite(dbPath);
    const entries = (db.prepare('SELECT entry FROM audit ORDER BY seq').all() as { entry: string }[]).map(
      (r) => JSON.parse(r.entry) as AuditEntry,
    );
    const verdict = await new SqliteAuditLog(db, new FakeClock()).verify();
    db.close();

    expect(entries).toHaveLength(WORKERS * PER_WORKER);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: WORKERS * PER_WORKER }, (_, i) => i + 1));
    expect(verifyChain(entries)).toEqual({ intact: true, count: WORKERS * PER_WORKER });
    expect(verdict).toEqual({ intact: true, count: WORKERS * PER_WORKER });
    // Each worker's entries keep its own order, and workers did interleave (otherwise this
    // test would only have exercised sequential appends).
    for (let w = 1; w <= WORKERS; w++) {
      const mine = entries
        .filter((e) => e.actor.objectId === `worker-${w}`)
        .map((e) => Number(e.detail!.split(':')[1]));
      expect(mine).toEqual(Array.from({ length: PER_WORKER }, (_, i) => i + 1));
    }
    const switches = entries.filter((e, i) => i > 0 && e.actor.objectId !== entries[i - 1].actor.objectId).length;
    expect(switches).toBeGreaterThan(WORKERS - 1);
  });
});

describe('G12: the audit trail stores only audit fields', () => {
  const SENTINEL = 'S3ntinel-Pa55word-7f3a9c';

  /**
   * Typical entries whose event objects also carry a secret in fields the trail has no use
   * for — what happens when a caller spreads a wider object (`{ ...request, ... }`):
   * `chainEntry` (src/domain/audit-chain.ts) keeps only the AuditEvent fields.
   */
  test('a secret passed in an unrelated field never reaches the store or an export', async () => {
    const dbPath = tmp.path('sentinel.db');
    const db = openSqlite(dbPath);
    const log = new SqliteAuditLog(db, new FakeClock());
    const typical: AuditEvent[] = [
      {
        actor: { objectId: '6a1f0c6e-0000-4000-8000-000000000001', name: 'Dana Developer' },
        tenantId: '5b1e2c3d-0000-4000-8000-00000000a0a0',
        action: 'request.created',
        requestId: 'R-AAAA2222',
        targetIds: [
          '/subscriptions/1111/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-dev',
          '/subscriptions/1111/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contoso',
        ],
        outcome: 'pending',
        detail: 'Need images for the payments service',
      },
      {
        actor: { objectId: 'acrbot', name: 'acrbot' },
        tenantId: '5b1e2c3d-0000-4000-8000-00000000a0a0',
        action: 'execution.succeeded',
        requestId: 'R-AAAA2222',
        targetIds: ['/subscriptions/1111/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contoso'],
        outcome: 'granted',
        correlationIds: ['c0ffee00-0000-4000-8000-000000000000'],
      },
    ];
    for (const event of typical) {
      const withSecret = {
        ...event,
        actor: { ...event.actor, accessToken: SENTINEL },
        clientSecret: SENTINEL,
        kubeconfig: `password: ${SENTINEL}`,
      } as AuditEvent;
      await log.append(withSecret);
    }
    db.close();

    const exported = await Promise.all(
      ['jsonl', 'csv'].map(
        async (format) =>
          (
            await promisify(execFile)(
              process.execPath,
              [
                'scripts/run-ts.js',
                'scripts/audit-cli.ts',
                'export',
                '--format',
                format,
                '--storage',
                `sqlite:${dbPath}`,
              ],
              { cwd: ROOT },
            )
          ).stdout,
      ),
    );
    expect(exported[0].split('\n').filter(Boolean)).toHaveLength(typical.length);
    const stored = readFileSync(dbPath).toString('latin1');
    const reader = new Database(dbPath, { readonly: true });
    const rows = (reader.prepare('SELECT entry FROM audit').all() as { entry: string }[]).map((r) => r.entry);
    reader.close();
    const places: [string, string][] = [
      ['database file', stored],
      ...rows.map((r, i): [string, string] => [`row ${i + 1}`, r]),
      ['jsonl export', exported[0]],
      ['csv export', exported[1]],
    ];
    expect(places.filter(([, text]) => text.includes(SENTINEL)).map(([where]) => where)).toEqual([]);
  });
});
