/**
 * The tab on the real app in sandbox mode, with requests of another allowed tenant in the same
 * store (G2): an approver sees none of them (matrix, My access approvals, history), and a role
 * assignment acrbot made only for another tenant's request shows as an Azure fact without its
 * request. And the tab's Revoke reason is checked like a justification (G7, G12): empty, too
 * short, too long or secret-looking → 400, nothing revoked, audited or told.
 */
import { createdAssignmentId } from '../../src/domain/access-inventory';
import { tabCall as call, tabToken } from '../helpers/tab-call';
import { type Harness, startHarness, users } from '../helpers/harness';
import { OTHER_TENANT } from '../helpers/tenant-b';

describe('tab: tenants and revoke reasons', () => {
  let h: Harness;
  let alex: string;
  let riley: string;

  beforeAll(async () => {
    h = await startHarness();
    [alex, riley] = await Promise.all(['approver', 'requester'].map((user) => tabToken(h, user)));
  });
  afterAll(async () => {
    await h?.stop();
  });

  test("an approver sees no other tenant's request: matrix, approvals, history", async () => {
    const granted = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    await h.click(users.approver, 'approve', { requestId: granted.id });
    const done = await h.settle(granted.id);
    const pending = await h.requestGrant(users.outsider, 'aks-legacy contosoacr batch jobs need images');
    // Tenant B's requests in the same store: one on the same role assignment as Riley's, one pending…
    await h.app.store.create({ ...done, id: 'R-TENANTB1', tenantId: OTHER_TENANT, reason: 'TENANT-B SECRET PROJECT' });
    await h.app.store.create({ ...pending, id: 'R-TENANTB2', tenantId: OTHER_TENANT, reason: 'TENANT-B PENDING' });
    // …and one whose role assignment in Azure is tenant B's only.
    const other = await h.requestGrant(users.requester, 'aks-legacy contosoacr tenant b nightly pulls');
    await h.click(users.approver, 'approve', { requestId: other.id });
    const otherDone = await h.settle(other.id);
    expect(otherDone.state).toBe('succeeded');
    await h.app.store.update({
      ...otherDone,
      version: otherDone.version + 1,
      tenantId: OTHER_TENANT,
      reason: 'TENANT-B ONLY GRANT',
    });

    const matrix = await call(h.app.url, '/api/tab/matrix', alex);
    expect(matrix.status).toBe(200);
    expect(matrix.text).not.toMatch(/TENANT-B|R-TENANTB/);
    expect(matrix.text).not.toContain(other.id);
    const rows = matrix.body.rows as any[];
    expect(rows.filter((r) => r.requestId === granted.id)).toEqual([
      expect.objectContaining({ reason: 'deploy payments-api to prod', requester: expect.anything() }),
    ]);
    // Tenant B's own assignment: still a way of pulling, but nothing of the request behind it.
    const assignment = createdAssignmentId(otherDone)!;
    expect(rows.filter((r) => r.key.startsWith(`${assignment}|`))).toEqual([
      {
        key: expect.stringContaining(assignment),
        kind: 'grant',
        how: 'acrbot-role',
        howText: expect.stringContaining('by acrbot'),
        state: 'active',
        cluster: expect.objectContaining({ name: 'aks-legacy' }),
        registry: expect.objectContaining({ name: 'contosoacr' }),
        approvers: [],
        notes: ['for a request of another tenant'],
        canExtend: undefined,
        canRevoke: undefined,
      },
    ]);
    // Riley's assignment (shared with R-TENANTB1) is not shown a second time without its request.
    expect(rows.filter((r) => r.notes?.includes('for a request of another tenant'))).toHaveLength(1);

    const mine = await call(h.app.url, '/api/tab/my-access', alex);
    expect(mine.body.approvals.map((r: any) => r.requestId)).toEqual([pending.id]);
    expect(mine.text).not.toMatch(/TENANT-B|R-TENANTB/);

    for (const id of ['R-TENANTB1', 'R-TENANTB2', other.id])
      expect((await call(h.app.url, `/api/tab/requests/${id}`, alex)).status).toBe(404);
  });

  test('revoke: an empty, short, too long or secret-looking reason → 400, nothing revoked, audited or told', async () => {
    const g = await h.requestGrant(users.requester, 'aks-dev contosoacr nightly batch pulls');
    await h.click(users.approver, 'approve', { requestId: g.id });
    expect((await h.settle(g.id)).state).toBe('succeeded');
    const sentBefore = h.connector.calls.length;
    const cases: Array<[string, string]> = [
      ['', 'validation.reason'],
      ['x', 'validation.reason'],
      ['   \n  ', 'validation.reason'],
      ['y'.repeat(501), 'validation.reason'],
      ['AccountKey=abcdEFGH1234567890==', 'validation.secret'],
      ['rotating, password: hunter2hunter2', 'validation.secret'],
    ];
    for (const [reason, code] of cases) {
      const res = await call(h.app.url, `/api/tab/requests/${g.id}/revoke`, riley, { reason });
      expect({ reason, status: res.status, error: res.body.error }).toEqual({ reason, status: 400, error: code });
      expect(res.body.message).not.toContain('hunter2');
      // Where it looked like a credential may be named ("AccountKey=[redacted]"), never the value.
      expect(res.body.message).not.toContain('abcdEFGH1234567890');
    }
    expect((await h.app.store.get(g.id))!.state).toBe('succeeded');
    const audit = await h.app.audit.forRequest(g.id);
    expect(audit.map((e) => e.action)).not.toContain('access.revoke.requested');
    expect(JSON.stringify(audit)).not.toMatch(/AccountKey|hunter2/);
    expect(JSON.stringify(h.connector.calls.slice(sentBefore))).not.toMatch(/AccountKey|hunter2/);

    const ok = await call(h.app.url, `/api/tab/requests/${g.id}/revoke`, riley, {
      reason: '  release done,\n no longer needed  ',
    });
    expect(ok.status).toBe(200);
    const requested = (await h.app.audit.forRequest(g.id)).find((e) => e.action === 'access.revoke.requested');
    expect(requested?.detail).toBe('release done, no longer needed');
  });
});
