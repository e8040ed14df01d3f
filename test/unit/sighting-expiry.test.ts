/**
 * Each sighting in the abuse ledger expires by its own ttl: a limit refusal (kept a minute or a
 * window) or a welcome (kept 10 minutes) recorded by another user must not make the ledger forget
 * the activity ids the gate keeps for a day, or Teams' redelivery of a grant or extend makes a
 * second request. Also: a SQLite file from before per-sighting expiry is migrated on open.
 */
import Database from 'better-sqlite3';
import { Welcomes } from '../../src/bot/welcomes';
import type { AbuseLedger } from '../../src/domain/ports';
import type { Actor } from '../../src/domain/request';
import { RequestGate } from '../../src/flows/request-gate';
import { MemoryAbuseLedger } from '../../src/integrations/store/memory-coordination';
import { SqliteAbuseLedger } from '../../src/integrations/store/sqlite-coordination';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { FakeClock, SECOND } from './support/fake-clock';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir();

const ledgers: [string, () => { ledger: AbuseLedger; close: () => void }][] = [
  ['memory', () => ({ ledger: new MemoryAbuseLedger(), close: () => undefined })],
  [
    'SQLite',
    () => {
      const db = openSqlite(tmp.path('sightings.db'));
      return { ledger: new SqliteAbuseLedger(db), close: () => db.close() };
    },
  ],
];

const actor = (objectId: string): Actor => ({ objectId, name: objectId });
const noRequests = { countByRequester: async () => 0, listByRequester: async () => [], listByTarget: async () => [] };

describe.each(ledgers)('redelivery memory survives other callers (%s)', (_name, open) => {
  test("another user's limit refusal and a welcome 90 s later: the same activity is still a redelivery", async () => {
    const { ledger, close } = open();
    try {
      const clock = new FakeClock('2026-11-30T12:00:05.000Z');
      const gate = new RequestGate(ledger, noRequests, clock, {
        maxPendingPerUser: 5,
        requestsPerMinute: 1,
        readsPer10Minutes: 30,
      });
      expect(await gate.admit(actor('alice'), 'conv|act-1')).toBeUndefined();
      clock.advance(90 * SECOND);
      expect(await gate.firstRefusalInWindow(actor('bob'), 'limits.rate')).toBe(true);
      expect(await gate.firstRefusalInWindow(actor('bob'), 'limits.reads')).toBe(true);
      const sent: string[] = [];
      await new Welcomes(ledger, clock).once('19:team@thread.tacv2', async () => void sent.push('welcome'));
      expect(sent).toEqual(['welcome']);
      expect((await gate.admit(actor('alice'), 'conv|act-1'))?.code).toBe('limits.redelivered');
    } finally {
      close();
    }
  });

  test("a 10-minute refusal window is not cut short by a 1-minute caller's prune", async () => {
    const { ledger, close } = open();
    try {
      const clock = new FakeClock('2026-11-30T12:00:05.000Z');
      const gate = new RequestGate(ledger, noRequests, clock, { maxPendingPerUser: 5, requestsPerMinute: 1 });
      expect(await gate.firstRefusalInWindow(actor('carol'), 'limits.reads')).toBe(true);
      clock.advance(90 * SECOND);
      expect(await gate.firstRefusalInWindow(actor('bob'), 'limits.rate')).toBe(true);
      expect(await gate.firstRefusalInWindow(actor('carol'), 'limits.reads')).toBe(false);
    } finally {
      close();
    }
  });
});

describe('SQLite sightings migration', () => {
  test('a file from before per-sighting expiry gets the column and index; old sightings keep their memory', () => {
    const path = tmp.path('old.db');
    const seenAt = Date.parse('2026-11-30T12:00:00.000Z');
    const old = new Database(path);
    old.exec('CREATE TABLE sightings (activity_id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL)');
    old.exec('CREATE INDEX sightings_by_time ON sightings(seen_at)');
    const insert = old.prepare('INSERT INTO sightings (activity_id, seen_at) VALUES (?, ?)');
    for (const id of ['activity:conv|a', 'welcome:19:x', 'refused:limits.rate:u:1']) insert.run(id, seenAt);
    old.close();

    for (let open = 0; open < 2; open++) {
      const db = openSqlite(path);
      try {
        const rows = db.prepare('SELECT activity_id, expires_at FROM sightings ORDER BY activity_id').all();
        expect(rows).toEqual([
          { activity_id: 'activity:conv|a', expires_at: seenAt + 24 * 3_600_000 },
          { activity_id: 'refused:limits.rate:u:1', expires_at: seenAt + 10 * 60_000 },
          { activity_id: 'welcome:19:x', expires_at: seenAt + 10 * 60_000 },
        ]);
        const indexes = db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sightings'")
          .all();
        expect(indexes).toContainEqual({ name: 'sightings_by_expiry' });
      } finally {
        db.close();
      }
    }
  });

  test('during a rolling upgrade, a sighting an older process writes (no expiry) is kept a day, not forgotten at once', async () => {
    const path = tmp.path('rolling.db');
    const db = openSqlite(path);
    try {
      const ledger = new SqliteAbuseLedger(db);
      const seenAt = Date.parse('2026-11-30T12:00:00.000Z');
      // What an older process's INSERT leaves: seen_at only, expires_at at its default.
      db.prepare('INSERT INTO sightings (activity_id, seen_at) VALUES (?, ?)').run('activity:conv|old', seenAt);
      const later = new Date(seenAt + 90 * SECOND);
      expect(await ledger.firstSighting('refused:y', later, 60 * SECOND)).toBe(true);
      expect(await ledger.firstSighting('activity:conv|old', later, 24 * 3_600_000)).toBe(false);
      const nextDay = new Date(seenAt + 24 * 3_600_000 + SECOND);
      expect(await ledger.firstSighting('refused:z', nextDay, 60 * SECOND)).toBe(true);
      expect(await ledger.firstSighting('activity:conv|old', nextDay, 24 * 3_600_000)).toBe(true);
    } finally {
      db.close();
    }
  });

  test('after the migration a redelivery seen before the upgrade is still a redelivery', async () => {
    const path = tmp.path('old2.db');
    const seenAt = Date.parse('2026-11-30T12:00:00.000Z');
    const old = new Database(path);
    old.exec('CREATE TABLE sightings (activity_id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL)');
    old.prepare('INSERT INTO sightings (activity_id, seen_at) VALUES (?, ?)').run('activity:conv|a', seenAt);
    old.close();
    const db = openSqlite(path);
    try {
      const ledger = new SqliteAbuseLedger(db);
      const later = new Date(seenAt + 90 * SECOND);
      expect(await ledger.firstSighting('refused:x', later, 60 * SECOND)).toBe(true);
      expect(await ledger.firstSighting('activity:conv|a', later, 24 * 3_600_000)).toBe(false);
    } finally {
      db.close();
    }
  });
});
