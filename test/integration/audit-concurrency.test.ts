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
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { type AuditEntry, type AuditEvent, verifyChain } from '../../src/domain/audit-chain';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { emptyWorkDir } from '../helpers/test-work-dir';
import { FakeClock } from '../unit/support/fake-clock';
import { useTempDir } from '../unit/support/temp-dir';

const ROOT = resolve(__dirname, '..', '..');
const RUN_TS = resolve(ROOT, 'scripts/run-ts.js');
const tmp = useTempDir('acrbot-audit-concurrency-');

const WORKERS = 4;
const ROUNDS = 25;
const PER_ROUND = 10;
const PER_WORKER = ROUNDS * PER_ROUND;

/**
 * The child's source, written to the temp dir at test time (run-ts compiles any .ts path).
 * It opens the file the way the bot does and reports "ready"; then every "go" line on stdin makes
 * it append PER_ROUND entries and answer "done", and "end" closes the file. The test releases all
 * workers together for each round, so in every round they contend for the write lock at once.
 */
const workerSource = `
import { createInterface } from 'node:readline';
import { SqliteAuditLog } from ${JSON.stringify(resolve(ROOT, 'src/integrations/store/sqlite-audit-log'))};
import { openSqlite } from ${JSON.stringify(resolve(ROOT, 'src/integrations/store/sqlite-database'))};
const [path, worker, perRound] = process.argv.slice(2);
const db = openSqlite(path);
const log = new SqliteAuditLog(db, { now: () => new Date() });
let next = 1;
const lines = createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  if (line === 'end') {
    db.close();
    lines.close();
    return;
  }
  for (let i = 0; i < Number(perRound); i++) {
    await log.append({ actor: { objectId: 'worker-' + worker, name: 'Worker ' + worker }, tenantId: 't', action: 'request.created', targetIds: ['/subscriptions/s/x'], outcome: 'pending', detail: worker + ':' + next++ });
    // Yield between appends, as the bot does between turns.
    await new Promise((r) => setImmediate(r));
  }
  process.stdout.write('done\\n');
});
process.stdout.write('ready\\n');
`;

/** A worker process and the lines it prints, read one at a time. */
interface Worker {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the next line the worker prints (rejects if it exits first). */
  nextLine(): Promise<string>;
}

function startWorker(script: string, dbPath: string, worker: number): Worker {
  const child = spawn(process.execPath, [RUN_TS, script, dbPath, String(worker), String(PER_ROUND)], {
    cwd: emptyWorkDir(),
    stdio: 'pipe',
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    nextLine: async () => {
      const { value, done } = await lines.next();
      if (done) throw new Error(`worker ${worker} exited (${child.exitCode}) early: ${err}`);
      return value as string;
    },
  };
}

describe('SqliteAuditLog with several processes on one file', () => {
  test(`${WORKERS} processes × ${PER_WORKER} appends, released together in ${ROUNDS} rounds → one gap-free, intact chain`, async () => {
    const dbPath = tmp.path('shared.db');
    // The bot creates the file; workers then open an existing WAL database.
    openSqlite(dbPath).close();
    const script = tmp.path('append-worker.ts');
    writeFileSync(script, workerSource);

    const workers = Array.from({ length: WORKERS }, (_, w) => startWorker(script, dbPath, w + 1));
    expect(await Promise.all(workers.map((w) => w.nextLine()))).toEqual(Array(WORKERS).fill('ready'));
    const exits = workers.map((w) => once(w.child, 'exit'));
    for (let round = 0; round < ROUNDS; round++) {
      for (const w of workers) w.child.stdin.write('go\n');
      expect(await Promise.all(workers.map((w) => w.nextLine()))).toEqual(Array(WORKERS).fill('done'));
    }
    for (const w of workers) w.child.stdin.end('end\n');
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
    // Each worker's entries keep its own order.
    for (let w = 1; w <= WORKERS; w++) {
      const mine = entries
        .filter((e) => e.actor.objectId === `worker-${w}`)
        .map((e) => Number(e.detail!.split(':')[1]));
      expect(mine).toEqual(Array.from({ length: PER_WORKER }, (_, i) => i + 1));
    }
    // Every round holds every worker's entries: the chain was built by all four alternately,
    // each round starting with all four asking for the write lock at once. (Left to run freely,
    // one process could finish all its appends while the others slept in SQLite's busy handler,
    // and the test would then have exercised sequential appends only.)
    for (let round = 0; round < ROUNDS; round++) {
      const slice = entries.slice(round * WORKERS * PER_ROUND, (round + 1) * WORKERS * PER_ROUND);
      expect(new Set(slice.map((e) => e.actor.objectId)).size).toBe(WORKERS);
    }
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
                RUN_TS,
                resolve(ROOT, 'scripts/audit-cli.ts'),
                'export',
                '--format',
                format,
                '--storage',
                `sqlite:${dbPath}`,
              ],
              { cwd: emptyWorkDir() },
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
