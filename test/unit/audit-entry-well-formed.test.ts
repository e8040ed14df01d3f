/**
 * Every new audit entry is well-formed text before it is hashed (domain/audit-chain.ts
 * `chainEntry`, `auditText`): a lone surrogate in its detail, names or ids (a cut by code units,
 * forged card data) is stored as U+FFFD, and the hash is of what is stored. Verify never cleans:
 * it recomputes hashes from the fields as stored, so an entry written before this cleaning,
 * holding a lone surrogate, still verifies, and `audit verify` (the CLI, over a real SQLite file
 * the bot's SqliteAuditLog wrote) says intact over old and new entries alike.
 */
import { type AuditEntry, chainEntry, GENESIS_HASH, hashEntry, verifyChain } from '../../src/domain/audit-chain';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { runCliCaptured } from '../helpers/audit-cli-run';
import { FakeClock } from './support/fake-clock';
import { auditEvent } from './support/requests';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir('acrbot-audit-well-formed-');

/** Whether `text` holds no lone surrogate (what `String.prototype.isWellFormed` answers; not in the TS lib acrbot targets). */
const isWellFormed = (text: string): boolean => !/\p{Cs}/u.test(text);

/** Every string in `value`, however deep. */
function stringsOf(value: unknown): string[] {
  const out: string[] = [];
  JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'string') out.push(v);
    return v;
  });
  return out;
}

/** The entry without its hash and MAC, as verify hashes it. */
const content = ({ hash: _hash, mac: _mac, ...rest }: AuditEntry) => rest;

const REGISTRY =
  '/subscriptions/1f0c0000-0000-4000-8000-000000000001/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr';

/**
 * Two entries as acrbot wrote them before their strings were made well-formed (chainEntry of the
 * commit before, run once; the hashes are its): a lone surrogate in the first's detail (a reason
 * of emoji cut by code units) and in the second's actor name, hashed so. Verify must take them as
 * they are.
 */
const BEFORE: AuditEntry[] = [
  {
    actor: { objectId: '0a000000-0000-4000-8000-00000000aaa1', name: 'Riley Requester' },
    tenantId: '5b1e2c3d-0000-4000-8000-00000000a0a0',
    action: 'request.created',
    requestId: 'req-1',
    targetIds: [REGISTRY],
    outcome: 'pending',
    detail: 'reason 😀😀 and half \uD83D of one',
    seq: 1,
    ts: '2026-01-01T00:00:00.000Z',
    prevHash: GENESIS_HASH,
    hash: '46b4f4d54d5fd0dc47ae75f5a727965ed07b371874ab862e10a51589aea33c12',
  },
  {
    actor: { objectId: 'oid', name: 'Zo\uDE00' },
    tenantId: '5b1e2c3d-0000-4000-8000-00000000a0a0',
    action: 'request.created',
    requestId: 'req-2',
    targetIds: [REGISTRY],
    outcome: 'pending',
    detail: 'event 2',
    seq: 2,
    ts: '2026-01-02T00:00:00.000Z',
    prevHash: '46b4f4d54d5fd0dc47ae75f5a727965ed07b371874ab862e10a51589aea33c12',
    hash: '009d61b16000bc4de3241ce262c065bcbec441584bda7917d7a05693957be82c',
  },
];

describe('chainEntry: the strings of a new entry, well-formed before they are hashed', () => {
  const HALF = '\uD83D';
  const LOW = '\uDE00';
  const entry = chainEntry(
    auditEvent(1, {
      actor: { objectId: `oid${LOW}`, name: `Zoë ${HALF}` },
      tenantId: `tenant${HALF}`,
      action: `request.created${HALF}`,
      requestId: `R-${HALF}`,
      targetIds: [`/subscriptions/x/${HALF}`, 'whole'],
      outcome: `pending${LOW}`,
      detail: `reason 😀 and half ${HALF} of one`,
      correlationIds: [`corr${HALF}`],
      ruleId: `rule${HALF}`,
      policyHash: `sha${LOW}`,
      facts: { deleted: [`id${HALF}`] },
    }),
    undefined,
    new Date(Date.UTC(2026, 0, 1)),
  );

  test('each lone surrogate is U+FFFD; whole emoji stay', () => {
    expect(stringsOf(entry).filter((s) => !isWellFormed(s))).toEqual([]);
    expect(entry.detail).toBe('reason 😀 and half \uFFFD of one');
    expect(entry.actor).toEqual({ objectId: 'oid\uFFFD', name: 'Zoë \uFFFD' });
    expect(entry).toMatchObject({
      tenantId: 'tenant\uFFFD',
      action: 'request.created\uFFFD',
      requestId: 'R-\uFFFD',
      targetIds: ['/subscriptions/x/\uFFFD', 'whole'],
      outcome: 'pending\uFFFD',
      correlationIds: ['corr\uFFFD'],
      ruleId: 'rule\uFFFD',
      policyHash: 'sha\uFFFD',
      facts: { deleted: ['id\uFFFD'] },
    });
  });

  test('what is hashed is what is stored: the hash recomputed from the stored JSON is the entry’s', () => {
    const stored = JSON.parse(JSON.stringify(entry)) as AuditEntry;
    expect(hashEntry(content(stored))).toBe(entry.hash);
    expect(verifyChain([stored])).toMatchObject({ intact: true, count: 1 });
  });

  test('a rule id is cut at 64 units between whole characters, not inside an emoji', () => {
    const cut = chainEntry(auditEvent(1, { ruleId: `${'r'.repeat(63)}😀` }), undefined, new Date(0));
    expect(cut.ruleId).toBe('r'.repeat(63));
  });

  test('an entry of well-formed text hashes as before (the value pinned from the chain before this cleaning)', () => {
    const plain = chainEntry(auditEvent(1), undefined, new Date(Date.UTC(2026, 0, 1)));
    expect(plain.hash).toBe('7384fc06754a69c30f889f74eb9710906ea2b270261b5f9f03125670e825726c');
  });
});

describe('verify never cleans: entries hashed with a lone surrogate still verify', () => {
  test('verifyChain over the entries stored before, as JSON stores them, followed by a new entry', () => {
    const stored = JSON.parse(JSON.stringify(BEFORE)) as AuditEntry[];
    expect(stringsOf(stored).filter((s) => !isWellFormed(s))).toHaveLength(2);
    expect(verifyChain(stored)).toMatchObject({ intact: true, count: 2 });
    const next = chainEntry(auditEvent(3, { detail: 'new \uD83D' }), stored[1], new Date(Date.UTC(2026, 0, 3)));
    expect(verifyChain([...stored, JSON.parse(JSON.stringify(next)) as AuditEntry])).toMatchObject({
      intact: true,
      count: 3,
    });
  });

  test('audit verify (the CLI) over a SQLite log: entries stored before, then one written with a lone surrogate, intact', async () => {
    const path = tmp.path('audit.db');
    const db = openSqlite(path);
    // Stored as acrbot stored them then: the rows and the chain head, in one transaction.
    db.transaction(() => {
      for (const old of BEFORE)
        db.prepare('INSERT INTO audit (seq, request_id, entry) VALUES (?, ?, ?)').run(
          old.seq,
          old.requestId ?? null,
          JSON.stringify(old),
        );
      db.prepare('INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)').run(BEFORE[1].seq, BEFORE[1].hash);
    })();
    const log = new SqliteAuditLog(db, new FakeClock());
    const appended = await log.append(
      auditEvent(3, { actor: { objectId: 'oid', name: 'Zo\uDE00' }, detail: 'a reason cut in half \uD83D' }),
    );
    const rows = db.prepare('SELECT seq, entry FROM audit ORDER BY seq').all() as Array<{ seq: number; entry: string }>;
    db.close();
    // JSON writes a lone surrogate as an escape: the old rows keep theirs, the new one has none.
    expect(rows[0].entry).toContain('\\ud83d');
    expect(rows[1].entry).toContain('\\ude00');
    expect(rows[2].entry).not.toMatch(/\\u[dD][89a-fA-F]/);
    const stored = JSON.parse(rows[2].entry) as AuditEntry;
    expect(stored).toMatchObject({ seq: 3, prevHash: BEFORE[1].hash, detail: 'a reason cut in half \uFFFD' });
    expect(stored.actor.name).toBe('Zo\uFFFD');
    expect(stored).toEqual(JSON.parse(JSON.stringify(appended)));
    expect(hashEntry(content(stored))).toBe(stored.hash);

    const r = await runCliCaptured(['verify', '--storage', `sqlite:${path}`], {
      ...process.env,
      ACRBOT_STORAGE: '',
      ACRBOT_AUDIT_KEY: '',
    });
    expect(r).toMatchObject({ code: 0, stdout: 'intact, 3 entries\n' });
  });
});
