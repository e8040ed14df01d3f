/**
 * The tenant boundary (G2, tenant-boundary.ts) in the chat answers chat-tenants.test.ts leaves
 * out: `check CLUSTER REGISTRY` (anyone's) shows another tenant's grant as the matrix does, a
 * revocation that keeps a role assignment another tenant's grant holds names that holder as "a
 * request of another tenant" (preview, audit entry, `audit R-…`), and `audit N` lists the
 * reader's tenant's entries only; with one tenant served, `audit N` lists every entry as before.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';
import { OTHER_TENANT } from '../helpers/tenant-b';

/** Both tenants served: the boundary between them (as in chat-tenants.test.ts). */
const TWO_TENANTS = { ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}` };

/** An entry of tenant B's, as its own requests and refusals would write it. */
const tenantBEntry = (i: number): AuditEvent => ({
  actor: { objectId: '0b0b0b0b-0000-4000-8000-00000000000b', name: 'Blake of tenant B' },
  tenantId: OTHER_TENANT,
  action: 'request.created',
  requestId: 'R-TENANTB2',
  targetIds: [],
  outcome: 'created',
  detail: `TENANT-B AUDIT DETAIL ${i}`,
});

describe("chat: another allowed tenant's requests, in check, revoke and audit N", () => {
  let h: Harness;
  let own: { granted: string; copy: string; legacy: string };

  beforeAll(async () => {
    h = await startHarness(TWO_TENANTS);
    const granted = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    await h.click(users.approver, 'approve', { requestId: granted.id });
    const done = await h.settle(granted.id);
    // On Riley's role assignment: tenant B's grant, and a second grant of the sandbox tenant.
    await h.app.store.create({ ...done, id: 'R-TENANTB3', tenantId: OTHER_TENANT, reason: 'TENANT-B SECRET PROJECT' });
    await h.app.store.create({ ...done, id: 'R-OWNCPY22' });
    // One whose role assignment in Azure is tenant B's only (made here, then moved).
    const legacy = await h.requestGrant(users.requester, 'aks-legacy contosoacr tenant b nightly pulls');
    await h.click(users.approver, 'approve', { requestId: legacy.id });
    const legacyDone = await h.settle(legacy.id);
    await h.app.store.update({ ...legacyDone, version: legacyDone.version + 1, tenantId: OTHER_TENANT });
    own = { granted: granted.id, copy: 'R-OWNCPY22', legacy: legacy.id };
  });
  afterAll(async () => {
    await h?.stop();
  });

  test("check shows another tenant's grant as the matrix does: by acrbot, without its request", async () => {
    const legacy = await h.turnReplies(users.outsider, 'check aks-legacy contosoacr', 'personal');
    expect(legacy).toContain('by acrbot, for a request of another tenant');
    expect(legacy).not.toContain(own.legacy);
    expect(legacy).not.toMatch(/approved by|until \d{4}|tenant b nightly/);
    const prod = await h.turnReplies(users.outsider, 'check aks-prod contosoacr', 'personal');
    expect(prod).toContain(own.granted);
    expect(prod).not.toMatch(/R-TENANTB3|TENANT-B|for a request of another tenant/);
    // The flow asked for no tenant (operators' tools) names every request, as before.
    const whole = await h.app.services.inventory.check('aks-legacy', 'contosoacr');
    expect(JSON.stringify(whole.findings)).toContain(own.legacy);
  });

  test("audit N lists the reader's tenant's entries only, however many of another tenant's are newer", async () => {
    for (let i = 0; i < 60; i++) await h.app.audit.append(tenantBEntry(i));
    await h.app.services.executor.drain();
    await h.app.services.background.drain();
    const theirs = (await h.app.audit.latest(500)).filter((e) => e.tenantId === SANDBOX_TENANT_ID).slice(-5);
    expect(theirs).toHaveLength(5);
    const listing = await h.turnReplies(users.approver, 'audit 5', 'personal');
    expect(listing).toContain('Latest audit entries');
    expect(listing).toContain('last 5 of your organisation (tenant), newest last');
    expect(listing).not.toMatch(/TENANT-B|Blake of tenant B|R-TENANTB/);
    expect(listing.match(/^#\d+ · /gm)).toHaveLength(5);
    for (const e of theirs) expect(listing).toContain(`#${e.seq} · ${e.action}`);
  });

  // Last: it revokes Riley's grant.
  test('a revocation kept for another tenant\u2019s grant names it "a request of another tenant", never by id', async () => {
    const preview = await h.turnReplies(users.approver, `revoke ${own.granted} no longer needed here`, 'personal');
    expect(preview).toContain('Keep role assignment AcrPull');
    expect(preview).toContain(`still used by ${own.copy} and a request of another tenant`);
    expect(preview).not.toMatch(/R-TENANTB3|TENANT-B/);
    // Only another tenant's holder left: the assignment is kept all the same.
    const copy = (await h.app.store.get(own.copy))!;
    await h.app.store.update({ ...copy, version: copy.version + 1, state: 'revoked' });
    const alone = await h.turnReplies(users.approver, `revoke ${own.granted} no longer needed here`, 'personal');
    expect(alone).toContain('still used by a request of another tenant');
    expect(alone).not.toContain('R-TENANTB3');

    await h.click(users.approver, 'revokeConfirm', { requestId: own.granted, reason: 'no longer needed here' });
    await h.app.services.background.drain();
    expect((await h.app.store.get(own.granted))!.state).toBe('revoked');
    const kept = (await h.app.audit.forRequest(own.granted)).find((e) => e.action === 'access.revoke.roleAssignment');
    expect(kept).toMatchObject({ outcome: 'kept', detail: 'still used by a request of another tenant' });
    const trail = await h.turnReplies(users.approver, `audit ${own.granted}`, 'personal');
    expect(trail).toContain('access.revoke.roleAssignment');
    expect(trail).not.toContain('R-TENANTB3');
  });
});

test('one tenant served: audit N lists every entry, as before tenants were told apart', async () => {
  const h = await startHarness();
  try {
    const stranger = await h.app.audit.append(tenantBEntry(0));
    const listing = await h.turnReplies(users.approver, 'audit 3', 'personal');
    expect(listing).toMatch(/last \d, newest last/);
    expect(listing).toContain(`#${stranger.seq} · request.created`);
  } finally {
    await h.stop();
  }
});
