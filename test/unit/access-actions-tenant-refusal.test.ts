/**
 * The revoke and extend rules audit another tenant's request themselves when wired to do so
 * (flows/tenant-refusal.ts), not only through their callers' reads: "not found", word for word as
 * an id that does not exist, one `request.refused.tenant` entry for the first ask per person,
 * ask and request in the window (the window kept in a SQLite abuse ledger), none for the next,
 * nothing revoked or created.
 */
import { AccessActions } from '../../src/flows/access-actions';
import { RequestGate } from '../../src/flows/request-gate';
import { requestNotFound } from '../../src/flows/request-reads';
import type { AccessRequest, Actor } from '../../src/domain/request';
import type { PolicyRule } from '../../src/domain/policy';
import { SqliteAbuseLedger } from '../../src/integrations/store/sqlite-coordination';
import { openSqlite, type SqliteDatabase } from '../../src/integrations/store/sqlite-database';
import { LogCapture } from '../helpers/log-capture';
import { FakeClock } from './support/fake-clock';
import { APPROVER, REQUESTER, pendingRequest } from './support/requests';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir();
const MINE = pendingRequest().tenantId;
const THEIRS = '9c8d7e6f-0000-4000-8000-00000000b0b0';
const rule = { id: 'a', approvers: { users: [APPROVER.objectId], groups: [] } } as unknown as PolicyRule;
const theirs = pendingRequest({
  id: 'R-THEIRS01',
  tenantId: THEIRS,
  state: 'succeeded',
  policy: { ruleId: 'a', policyHash: 'h', approvalsRequired: 1 },
  access: { durationMs: 86_400_000, expiresAt: '2030-01-22T09:10:00.000Z' },
});

let db: SqliteDatabase;
let logs: LogCapture;
let actions: AccessActions;
const refusals: Array<Record<string, unknown>> = [];
const done: string[] = [];

beforeEach(() => {
  db = openSqlite(tmp.path(`ledger-${Math.random().toString(36).slice(2)}.db`));
  logs = new LogCapture();
  refusals.splice(0);
  done.splice(0);
  const clock = new FakeClock('2026-11-30T12:00:05.000Z');
  const gate = new RequestGate(
    new SqliteAbuseLedger(db),
    { countByRequester: async () => 0, listByRequester: async () => [], listByTarget: async () => [] },
    clock,
    { maxPendingPerUser: 5, requestsPerMinute: 100 },
  );
  actions = new AccessActions(
    {
      get: async (id: string) => {
        if (id.toUpperCase() !== theirs.id) throw requestNotFound(id);
        return theirs;
      },
      ruleOf: () => rule,
      isApproverOf: async (actor: Actor) => actor.objectId === APPROVER.objectId,
      approverAccountEnabled: async () => true,
      recordRefusal: async (e: Record<string, unknown>) => void refusals.push(e),
      create: async (r: AccessRequest) => void done.push(`created ${r.id}`),
    } as never,
    { revokeSoon: async (r: AccessRequest) => void done.push(`revoked ${r.id}`) } as never,
    {} as never,
    undefined,
    undefined,
    undefined,
    { gate },
    clock,
    undefined,
    { gate, log: logs.logger() },
  );
});
afterEach(() => db.close());

/** The entry the first ask of `asked` writes. */
const entry = (actor: Actor, asked: string) => ({
  actor,
  tenantId: MINE,
  action: 'request.refused.tenant',
  requestId: theirs.id,
  targetIds: [theirs.plan.cluster.id, theirs.plan.registry.id],
  outcome: 'refused',
  detail: `${asked} of a request of tenant ${THEIRS}, asked by a user of tenant ${MINE}`,
});

test('revoke: not found as a missing id, audited once in the window', async () => {
  const acting = { actor: APPROVER, tenantId: MINE };
  const missing = await actions.revoke(acting, 'R-MISSING2', 'release done, no longer needed').catch((e) => e);
  for (let i = 0; i < 2; i++) {
    const refused = await actions.revoke(acting, 'r-theirs01', 'release done, no longer needed').catch((e) => e);
    expect(refused).toMatchObject({ code: missing.code, message: missing.message.replace('R-MISSING2', 'r-theirs01') });
  }
  expect(refusals).toEqual([entry(APPROVER, 'revoke')]);
  // The buttons' question is no attempt: unaudited.
  expect(await actions.revocable(acting, [theirs])).toEqual([false]);
  expect(refusals).toHaveLength(1);
  expect(done).toEqual([]);
});

test('extend: not found as a missing id, audited once in the window', async () => {
  const input = { actor: REQUESTER, tenantId: MINE, duration: '7d', reason: 'still deploying it', origin: {} } as never;
  const missing = await actions
    .createExtension({ ...(input as object), originalId: 'R-MISSING2' } as never)
    .catch((e) => e);
  for (let i = 0; i < 2; i++) {
    const refused = await actions
      .createExtension({ ...(input as object), originalId: 'R-THEIRS01' } as never)
      .catch((e) => e);
    expect(refused).toMatchObject({ code: missing.code, message: missing.message.replace('R-MISSING2', 'R-THEIRS01') });
  }
  expect(refusals).toEqual([entry(REQUESTER, 'extend')]);
  expect(
    logs
      .entries()
      .filter((l) => l.msg === "another tenant's request answered as not found")
      .map((l) => l.audited),
  ).toEqual([true, false]);
  expect(done).toEqual([]);
});
