/**
 * Chat keeps to the caller's tenant as the tab does (G2, tenant-boundary.ts): with requests of
 * another allowed tenant in the same store, an approver of the sandbox tenant gets "not found" for
 * them (`status`, `pending R-…`, `revoke`, `extend`, `cancel`, a card's refresh), an empty trail
 * (`audit R-…`), no line in `pending`, only the Azure fact in `access` (no id, requester,
 * approver or end), and their Approve, Reject or break-glass review is refused, audited
 * (`approval.refused.tenant`) and changes nothing.
 */
import { SANDBOX_TENANT_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';
import { OTHER_TENANT } from '../helpers/tenant-b';

/** Both tenants served: the boundary between them, not a tenant no longer served (tenants-narrowed.test.ts). */
const TWO_TENANTS = { ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}` };
const cardOf = (res: { body: any }) => cardText({ attachments: [{ content: res.body?.value }] });

describe("chat: another allowed tenant's requests", () => {
  let h: Harness;
  let own: { granted: string; pending: string; legacy: string };

  beforeAll(async () => {
    h = await startHarness(TWO_TENANTS);
    const granted = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    await h.click(users.approver, 'approve', { requestId: granted.id });
    const done = await h.settle(granted.id);
    const pending = await h.requestGrant(users.outsider, 'aks-legacy contosoacr batch jobs need images');
    // Tenant B's: one on the same role assignment as Riley's grant, one pending…
    await h.app.store.create({ ...done, id: 'R-TENANTB3', tenantId: OTHER_TENANT, reason: 'TENANT-B SECRET PROJECT' });
    await h.app.store.create({ ...pending, id: 'R-TENANTB2', tenantId: OTHER_TENANT, reason: 'TENANT-B PENDING' });
    // …and one whose role assignment in Azure is tenant B's only (made here, then moved).
    const legacy = await h.requestGrant(users.requester, 'aks-legacy contosoacr tenant b nightly pulls');
    await h.click(users.approver, 'approve', { requestId: legacy.id });
    const legacyDone = await h.settle(legacy.id);
    await h.app.store.update({ ...legacyDone, version: legacyDone.version + 1, tenantId: OTHER_TENANT });
    own = { granted: granted.id, pending: pending.id, legacy: legacy.id };
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('status, pending, audit, revoke, extend and cancel answer as for no such request', async () => {
    for (const id of ['R-TENANTB3', 'R-TENANTB2', own.legacy]) {
      for (const text of [`status ${id}`, `pending ${id}`, `revoke ${id} no longer needed here`]) {
        const reply = await h.turnReplies(users.approver, text, 'personal');
        expect(reply).toContain(`There is no request ${id}`);
        expect(reply).not.toMatch(/TENANT-B|tenant b nightly/);
      }
      const trail = await h.turnReplies(users.approver, `audit ${id}`, 'personal');
      expect(trail).toContain(`Audit trail of ${id}`);
      expect(trail).toContain('0 entries');
    }
    // Riley's own grant, copied into tenant B: still not theirs to extend from the sandbox tenant.
    const extend = await h.turnReplies(users.requester, 'extend R-TENANTB3 --for 7d still deploying', 'personal');
    expect(extend).toContain('There is no request R-TENANTB3');
    const cancel = await h.turnReplies(users.outsider, 'cancel R-TENANTB2', 'personal');
    expect(cancel).toContain('There is no request R-TENANTB2');
    expect((await h.app.store.get('R-TENANTB2'))!.state).toBe('pending');
    const refresh = await h.click(users.approver, 'refresh', { requestId: 'R-TENANTB2' });
    expect(cardOf(refresh)).toContain('There is no request R-TENANTB2');
    expect(cardOf(refresh)).not.toMatch(/TENANT-B|waiting for approval|Pending/);
    // Their own tenant's requests are answered as before.
    expect(await h.turnReplies(users.approver, `status ${own.pending}`, 'personal')).toContain(
      'batch jobs need images',
    );
    expect(await h.turnReplies(users.approver, `audit ${own.granted}`, 'personal')).toContain('request.approved');
  });

  test("pending lists their tenant's requests only", async () => {
    const list = await h.turnReplies(users.approver, 'pending', 'personal');
    expect(list).toContain(own.pending);
    expect(list).not.toMatch(/R-TENANTB|TENANT-B/);
  });

  test("access shows another tenant's grant as the tab does: by acrbot, without its request", async () => {
    const prod = await h.turnReplies(users.approver, 'access aks-prod', 'personal');
    expect(prod).toContain(own.granted);
    expect(prod).not.toContain('R-TENANTB3');
    expect(prod).not.toContain('for a request of another tenant');
    const legacy = await h.turnReplies(users.approver, 'access aks-legacy', 'personal');
    expect(legacy).toContain('by acrbot, for a request of another tenant');
    expect(legacy).not.toContain(own.legacy);
    expect(legacy).not.toMatch(/approved by|until \d{4}/);
    const registry = await h.turnReplies(users.approver, 'access contosoacr', 'personal');
    expect(registry).toContain(own.granted);
    expect(registry).not.toMatch(/R-TENANTB3|TENANT-B/);
    expect(registry).not.toContain(own.legacy);
  });

  test("revoke CLUSTER REGISTRY lists and revokes their tenant's grants only", async () => {
    const prod = await h.turnReplies(users.approver, 'revoke aks-prod contosoacr', 'personal');
    expect(prod).toContain(own.granted);
    // Tenant B's grant on the pair is not among what the click revokes (the step that keeps the
    // role assignment they share still names it as its holder: revocation-preview.ts).
    expect(prod).toContain('Revoke 1 acrbot request of aks-prod on contosoacr');
    expect(prod).not.toMatch(/TENANT-B|• R-TENANTB3/);
    const legacy = await h.turnReplies(users.approver, 'revoke aks-legacy contosoacr', 'personal');
    expect(legacy).toContain('Nothing to revoke');
    expect(legacy).toContain('for a request of your organisation (tenant)');
    expect(legacy).not.toContain(own.legacy);
    // Of the pair's pending requests, only their tenant's is named (to reject), not tenant B's.
    expect(legacy).toContain(`${own.pending} (`);
    expect(legacy).not.toContain('R-TENANTB2');
    expect((await h.app.store.get(own.legacy))!.state).toBe('succeeded');
  });

  test('Approve and Reject of their request are refused and audited; nothing changes', async () => {
    const approve = await h.click(users.approver, 'approve', { requestId: 'R-TENANTB2' });
    expect(cardOf(approve)).toContain('Only approvers in the organisation (tenant) request R-TENANTB2 was made in');
    // Not even its state, as for someone who is no approver of it.
    expect(cardOf(approve)).not.toMatch(/TENANT-B|batch jobs|This request is/);
    const reject = await h.click(users.approver, 'reject', { requestId: 'R-TENANTB2', comment: 'not for us at all' });
    expect(cardOf(reject)).toContain('Only approvers in the organisation (tenant)');
    await h.app.services.executor.drain();
    const after = (await h.app.store.get('R-TENANTB2'))!;
    expect(after.state).toBe('pending');
    expect(after.approvals ?? []).toEqual([]);
    // The decisions' own entries; the asks of the first test are `request.refused.tenant` (tenant-refusal.ts).
    const entries = (await h.app.audit.forRequest('R-TENANTB2')).filter((e) => e.action !== 'request.refused.tenant');
    expect(entries.map((e) => e.action)).toEqual(['approval.refused.tenant', 'approval.refused.tenant']);
    expect(entries[0]).toMatchObject({
      actor: { objectId: users.approver.objectId },
      outcome: 'refused',
      detail: `the request is of tenant ${OTHER_TENANT}, not of the deciding user's`,
    });
  });
});

test("a break-glass grant of another tenant: its review is refused, and the grant's review stays owed", async () => {
  const tempDirs = new TempDirs();
  const olive = SANDBOX_USERS.oncall as TeamsUser;
  const policyFile = writePolicyFile(tempDirs.make('acrbot-chat-tenants-'), breakGlassPolicyYaml());
  const h = await startHarness({ ...TWO_TENANTS, ACRBOT_POLICY: policyFile });
  try {
    const bg = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    const ran = await h.settle(bg.id);
    expect(ran.state).toBe('succeeded');
    await h.app.store.update({ ...ran, version: ran.version + 1, tenantId: OTHER_TENANT });
    const keep = await h.click(users.approver, 'approve', { requestId: bg.id });
    expect(cardOf(keep)).toContain(`Only approvers in the organisation (tenant) request ${bg.id} was made in`);
    const revoke = await h.click(users.approver, 'reject', { requestId: bg.id, comment: 'not justified at all' });
    expect(cardOf(revoke)).toContain('Only approvers in the organisation (tenant)');
    const after = (await h.app.store.get(bg.id))!;
    expect(after.state).toBe('succeeded');
    expect(after.policy?.review?.outcome).toBeUndefined();
    expect((await h.app.audit.forRequest(bg.id)).filter((e) => e.action.startsWith('approval.refused'))).toEqual([
      expect.objectContaining({ action: 'approval.refused.tenant' }),
      expect.objectContaining({ action: 'approval.refused.tenant' }),
    ]);
    // Not listed as a review owed to them either.
    expect(await h.turnReplies(users.approver, 'pending', 'personal')).not.toContain(bg.id);
  } finally {
    await h.stop();
    tempDirs.removeAll();
  }
});
