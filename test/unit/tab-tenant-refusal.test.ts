/**
 * The tab's history, Extend and Revoke of another tenant's request answer 404 exactly as for an id
 * that does not exist, and are audited by chat's rule (composition/tab-actions.ts →
 * flows/tenant-refusal.ts): one `request.refused.tenant` entry for the first ask per person, ask
 * and request in the window (kept in a SQLite abuse ledger), none for the next; nothing is
 * revoked or extended.
 */
import { tabActions } from '../../src/composition/tab-actions';
import type { Flows } from '../../src/composition/flows';
import { RequestGate } from '../../src/flows/request-gate';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { SqliteAbuseLedger } from '../../src/integrations/store/sqlite-coordination';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import type { ApiReply } from '../../src/tab/tab-api';
import { FakeClock } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { pendingRequest, REQUESTER } from './support/requests';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir();
const OTHER_TENANT = '7c2f0000-0000-4000-8000-00000000b0b0';

test("history, Extend and Revoke of another tenant's request: 404 as a missing id, audited once in the window", async () => {
  const db = openSqlite(tmp.path('ledger.db'));
  try {
    const clock = new FakeClock('2025-01-16T09:00:05.000Z');
    const store = new MemoryRequestStore();
    const theirs = pendingRequest({
      id: 'R-ELSEWHR1',
      state: 'succeeded',
      tenantId: OTHER_TENANT,
      access: { durationMs: 7 * 86_400_000, expiresAt: '2025-01-22T09:10:00.000Z' },
    });
    await store.create(theirs);
    const gate = new RequestGate(new SqliteAbuseLedger(db), store, clock, {
      maxPendingPerUser: 5,
      requestsPerMinute: 10,
    });
    const refusals: Array<Record<string, unknown>> = [];
    const acted: string[] = [];
    const flows = {
      gate,
      requests: { recordRefusal: async (e: Record<string, unknown>) => void refusals.push(e) },
      actions: {
        revoke: async () => void acted.push('revoke'),
        extendOutsideTurn: async () => void acted.push('extend'),
      },
    } as unknown as Pick<Flows, 'actions' | 'requests' | 'gate'>;
    const api = testTabApi(clock, store, { actions: tabActions(flows) });
    const auth = await bearer(REQUESTER, clock);
    const asks: Array<[string, (id: string) => Promise<ApiReply>]> = [
      ['history', (id) => api.history(auth, id)],
      ['extend', (id) => api.extend(auth, id, { duration: '7d', reason: 'still deploying it' })],
      ['revoke', (id) => api.revoke(auth, id, { reason: 'no longer needed' })],
    ];
    for (const [asked, ask] of asks) {
      const missing = await ask('R-MISSING2');
      expect(missing.status).toBe(404);
      const before = refusals.length;
      for (let i = 0; i < 2; i++) {
        const refused = await ask('R-ELSEWHR1');
        expect(JSON.stringify(refused).split('R-ELSEWHR1')).toEqual(JSON.stringify(missing).split('R-MISSING2'));
      }
      expect(refusals.slice(before)).toEqual([
        expect.objectContaining({
          action: 'request.refused.tenant',
          requestId: theirs.id,
          actor: expect.objectContaining({ objectId: REQUESTER.objectId }),
          outcome: 'refused',
          detail: expect.stringMatching(new RegExp(`^${asked} of a request of tenant ${OTHER_TENANT}, asked by`)),
        }),
      ]);
    }
    expect(refusals).toHaveLength(3);
    expect(acted).toEqual([]);
  } finally {
    db.close();
  }
});
