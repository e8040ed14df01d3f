/**
 * G2 and G11: another tenant's request asked about by its id is answered "not found" word for
 * word as an id that does not exist, and the ask is audited (`request.refused.tenant`) once per
 * person, ask and request in its window, the rest logged only (flows/tenant-refusal.ts). A probe
 * across the boundary leaves a trace; a script repeating it does not grow the hash-chained trail,
 * and nothing else changes (the request, the rest of the audit log).
 */
import { join } from 'node:path';
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { AccessRequest } from '../../src/domain/request';
import { REQUEST_READ_REFUSAL_WINDOW_MS } from '../../src/flows/request-gate';
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { FakeClock } from '../unit/support/fake-clock';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';
import { OTHER_TENANT } from '../helpers/tenant-b';

const THEIRS = 'R-TENANTB3';
/** No request has this id. */
const MISSING = 'R-NXSTWH22';
/** 5 s into an hour: the refusals' window depends on the clock. */
const START = '2026-11-30T12:00:05.000Z';

describe("another tenant's request asked about by its id", () => {
  const tempDirs = new TempDirs();
  const clock = new FakeClock(START);
  let h: Harness;
  let theirs: AccessRequest;

  beforeAll(async () => {
    const dir = tempDirs.make('acrbot-tenant-refusal-');
    h = await startHarness(
      {
        ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}`,
        ACRBOT_STORAGE: `sqlite:${join(dir, 'acrbot.db')}`,
      },
      { clock },
    );
    // Riley's granted access, copied into tenant B: theirs to revoke and extend, were it not for the tenant.
    const granted = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    await h.click(users.approver, 'approve', { requestId: granted.id });
    const done = await h.settle(granted.id);
    expect(done.state).toBe('succeeded');
    await h.app.store.create({ ...done, id: THEIRS, tenantId: OTHER_TENANT, reason: 'TENANT-B PROJECT' });
    theirs = (await h.app.store.get(THEIRS))!;
  });
  afterAll(async () => {
    try {
      await h?.stop();
    } finally {
      tempDirs.removeAll();
    }
  });

  /** Every audit entry, oldest first. */
  const everyEntry = (): Promise<AuditEntry[]> => h.app.audit.latest(10_000);
  const tenantRefusals = async (): Promise<AuditEntry[]> =>
    (await h.app.audit.forRequest(THEIRS)).filter((e) => e.action === 'request.refused.tenant');
  /** The turn's answer with the request id asked about replaced, to compare two ids' answers. */
  const answer = async (user: TeamsUser, text: (id: string) => string, id: string): Promise<string> =>
    (await h.turnReplies(user, text(id), 'personal')).split(id).join('<ID>');

  /**
   * `text` of tenant B's request, twice, by `user`: answered as `text` of {@link MISSING} (which
   * says `notFound`), one
   * `request.refused.tenant` entry (`asked`) after the first and none after the second, nothing
   * else written or changed.
   */
  async function probedTwice(
    user: TeamsUser,
    text: (id: string) => string,
    asked: string,
    notFound = 'There is no request <ID>',
  ): Promise<void> {
    const missing = await answer(user, text, MISSING);
    expect(missing).toContain(notFound);
    const before = await everyEntry();
    const already = (await tenantRefusals()).length;
    expect(await answer(user, text, THEIRS)).toBe(missing);
    const after = await everyEntry();
    // Exactly one entry more, the refusal, after everything that was there.
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length)).toEqual([
      expect.objectContaining({
        action: 'request.refused.tenant',
        requestId: THEIRS,
        actor: expect.objectContaining({ objectId: user.objectId }),
        tenantId: SANDBOX_TENANT_ID,
        outcome: 'refused',
        targetIds: [theirs.plan.cluster.id, theirs.plan.registry.id],
        detail: `${asked} of a request of tenant ${OTHER_TENANT}, asked by a user of tenant ${SANDBOX_TENANT_ID}`,
      }),
    ]);
    expect(JSON.stringify(after.at(-1))).not.toContain('TENANT-B PROJECT');
    // Again within the window: the same answer, no entry, logged as not audited.
    expect(await answer(user, text, THEIRS)).toBe(missing);
    expect(await everyEntry()).toEqual(after);
    expect(await tenantRefusals()).toHaveLength(already + 1);
    expect(
      h.logs
        .entries()
        .filter((l) => l.msg === "another tenant's request answered as not found" && l.asked === asked)
        .map((l) => l.audited),
    ).toEqual([true, false]);
    // The request itself is as it was.
    expect(await h.app.store.get(THEIRS)).toEqual(theirs);
  }

  test('revoke', async () => {
    await probedTwice(users.approver, (id) => `revoke ${id} no longer needed here`, 'revoke');
  });

  test('extend', async () => {
    await probedTwice(users.requester, (id) => `extend ${id} --for 7d still deploying`, 'extend');
  });

  test('status', async () => {
    await probedTwice(users.approver, (id) => `status ${id}`, 'status');
  });

  test('audit', async () => {
    // An id nothing was recorded under: an empty trail.
    await probedTwice(users.approver, (id) => `audit ${id}`, 'audit', '0 entries');
    // The entry names tenant B's request: not in the asking tenant's `audit N` either.
    expect(await h.turnReplies(users.approver, 'audit 50', 'personal')).not.toContain(THEIRS);
  });

  test("the next window audits the next ask; another person's is their own", async () => {
    const count = (await tenantRefusals()).length;
    expect(await answer(users.outsider, (id) => `status ${id}`, THEIRS)).toContain('There is no request <ID>');
    expect(await tenantRefusals()).toHaveLength(count + 1);
    clock.advance(REQUEST_READ_REFUSAL_WINDOW_MS);
    expect(await answer(users.approver, (id) => `status ${id}`, THEIRS)).toContain('There is no request <ID>');
    expect(await tenantRefusals()).toHaveLength(count + 2);
  });
});
