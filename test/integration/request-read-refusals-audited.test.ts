/**
 * G11 and G16: a read of one request by its id (`status R-…`, `pending R-…`) refused to someone
 * who may not see it is audited once per person, request and command per hour, the rest logged
 * only. Those reads are outside the read limit (approving must always work), and each entry names
 * the request: anyone in the tenant who saw its id could otherwise grow its trail by one entry per
 * message, and every later read of that trail (its audit card, `audit R-…`, a revocation) reads
 * them all. The refusal itself is answered every time.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { REQUEST_READ_REFUSAL_WINDOW_MS } from '../../src/flows/request-gate';
import { FakeClock } from '../unit/support/fake-clock';
import { type Harness, startHarness, users } from '../helpers/harness';

/** 5 s into an hour: the refusals' window depends on the clock. */
const START = '2026-11-30T12:00:05.000Z';

/** The request's entries with `action`. */
async function refusals(h: Harness, requestId: string, action: string): Promise<AuditEntry[]> {
  return (await h.app.audit.forRequest(requestId)).filter((e) => e.action === action);
}

describe('a refused read of one request by its id', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  test('is answered every time, audited once per person, request and command per window', async () => {
    const clock = new FakeClock(START);
    h = await startHarness({}, { clock });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const other = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    // More than the read limit (30), which these reads are outside of.
    for (let i = 0; i < 31; i++)
      expect(await h.ask(users.outsider, `status ${request.id}`)).toMatch(/belongs to someone else/);
    for (let i = 0; i < 3; i++)
      expect(await h.ask(users.outsider, `pending ${request.id}`)).toMatch(/Only the approvers of request/);
    const status = await refusals(h, request.id, 'status.refused');
    expect(status).toHaveLength(1);
    expect(status[0]).toMatchObject({
      actor: { objectId: users.outsider.objectId },
      outcome: 'status.notYours',
      targetIds: [request.plan.cluster.id, request.plan.registry.id],
    });
    // Each command and each request on its own.
    expect(await refusals(h, request.id, 'pending.refused')).toHaveLength(1);
    expect(await h.ask(users.outsider, `status ${other.id}`)).toMatch(/belongs to someone else/);
    expect(await refusals(h, other.id, 'status.refused')).toHaveLength(1);
    // The rest are in the log.
    const logged = h.logs.entries().filter((l) => l.msg === 'read of a request refused');
    expect(logged.filter((l) => l.audited === false)).toHaveLength(30 + 2);
    // The next window audits the next one.
    clock.advance(REQUEST_READ_REFUSAL_WINDOW_MS);
    expect(await h.ask(users.outsider, `status ${request.id}`)).toMatch(/belongs to someone else/);
    expect(await refusals(h, request.id, 'status.refused')).toHaveLength(2);
  });
});
