/**
 * The audit trail in Teams: one audit card per request in ACRBOT_AUDIT_CHANNEL, updated in
 * place (refusals included), and the `audit` command for approvers and auditors.
 */
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

const AUDIT_CHANNEL = '19:acrbot-audit@thread.tacv2';

describe('audit trail', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({
      ACRBOT_AUDIT_CHANNEL: AUDIT_CHANNEL,
      ACRBOT_AUDITORS: SANDBOX_USERS.outsider.objectId,
      ACRBOT_AUDIT_KEY: Buffer.alloc(32, 3).toString('base64'),
    });
  });
  afterEach(async () => {
    await h.stop();
  });

  test('one audit card per request, posted once and updated in place through refusal, approval and execution', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.requester, 'approve', { requestId: request.id });
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    const inAuditChannel = h.connector.calls.filter((c) => c.conversationId === AUDIT_CHANNEL);
    const posts = inAuditChannel.filter((c) => c.op === 'send');
    expect(posts).toHaveLength(1);
    const updates = inAuditChannel.filter((c) => c.op === 'update');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(updates.every((u) => u.activityId === posts[0].activityId)).toBe(true);
    const finalText = cardText(updates[updates.length - 1].activity);
    for (const action of [
      'request.created',
      'approval.refused.self',
      'request.approved',
      'execution.started',
      'azure.write.roleAssignment',
      'request.succeeded',
    ])
      expect(finalText).toContain(action);
    expect(finalText).toContain(`${request.id} · grant · Granted`);
    // Every post and update publishes the chain head of its moment (seq and MAC prefix, G11):
    // a head at or past the card's own entries, whose MAC is the stored entry's MAC.
    let lastHead = 0;
    for (const call of inAuditChannel) {
      const text = cardText(call.activity);
      const [, seq, prefix] = /Chain head: #(\d+) · MAC ([0-9a-f]{16})/.exec(text)!;
      const shown = Math.max(...[...text.matchAll(/^#(\d+) · /gm)].map((m) => Number(m[1])));
      expect(Number(seq)).toBeGreaterThanOrEqual(shown);
      expect(Number(seq)).toBeGreaterThanOrEqual(lastHead);
      lastHead = Number(seq);
      const stored = (await h.app.audit.latest(1000)).find((e) => e.seq === Number(seq))!;
      expect(stored.mac!.slice(0, 16)).toBe(prefix);
    }
    // The Azure write is linked to its x-ms-request-id in the trail.
    const write = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'azure.write.roleAssignment')!;
    expect(write.correlationIds).toEqual(done.outcome!.azureRequestIds);
  });

  test('repeated refused clicks are one counted line on the audit card; each is still audited (#11)', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    // 32 refusals: enough to push "request.created" off a card that lists the last 30 entries.
    for (let i = 0; i < 20; i++) await h.click(users.requester, 'approve', { requestId: request.id });
    for (let i = 0; i < 12; i++) await h.click(users.outsider, 'approve', { requestId: request.id });
    // The audit card notes a refused click after the click is answered (G16).
    const update = await h.connector.waitFor(
      (c) => c.conversationId === AUDIT_CHANNEL && c.op === 'update' && cardText(c.activity).includes('32 refused'),
      10_000,
      'the audit card with all 32 refusals',
    );
    const text = cardText(update.activity);
    expect(text).toContain('request.created');
    expect(text).toContain('32 refused clicks: self-approval ×20, not an approver ×12');
    expect(text).not.toContain('approval.refused.self');
    const refusals = (await h.app.audit.forRequest(request.id)).filter((e) => e.outcome === 'refused');
    expect(refusals.map((e) => e.action).sort()).toEqual([
      ...Array<string>(12).fill('approval.refused.notApprover'),
      ...Array<string>(20).fill('approval.refused.self'),
    ]);
    // A decision after the run is listed after it.
    await h.click(users.approver, 'approve', { requestId: request.id });
    await h.settle(request.id);
    const last = h.connector.calls.filter((c) => c.conversationId === AUDIT_CHANNEL && c.op === 'update').pop()!;
    expect(cardText(last.activity)).toMatch(/32 refused clicks[\s\S]*request\.approved/);
  });

  test('audit [n], audit <request-id> and audit verify for approvers and auditors; refused (and recorded) for others', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    await h.settle(request.id);
    h.connector.clear();

    await h.say(users.requester, 'audit');
    await h.connector.waitFor((c) => /Approvers and auditors only/.test(cardText(c.activity)), 5000, 'audit refusal');
    expect((await h.app.audit.latest(1))[0].action).toBe('audit.refused');

    // In a requesters' channel the entries (approvers' comments, why new access was paused) are
    // not listed: the approver is sent to a chat with acrbot.
    await h.say(users.approver, 'audit 3');
    await h.connector.waitFor(
      (c) => /Audit log: ask in a chat with acrbot/.test(cardText(c.activity)),
      5000,
      'redirect',
    );
    expect(h.connector.calls.filter((c) => /Latest audit entries/.test(cardText(c.activity)))).toEqual([]);

    await h.say(users.approver, 'audit 3', 'personal');
    const latest = await h.connector.waitFor(
      (c) => /Latest audit entries/.test(cardText(c.activity)),
      5000,
      'audit listing',
    );
    expect(cardText(latest.activity).match(/^#\d+ · /gm)).toHaveLength(3);

    await h.say(users.outsider, `audit ${request.id}`, 'personal');
    const history = await h.connector.waitFor(
      (c) => new RegExp(`Audit trail of ${request.id}`).test(cardText(c.activity)),
      5000,
      'request history',
    );
    const entries = await h.app.audit.forRequest(request.id);
    for (const e of entries) expect(cardText(history.activity)).toContain(`#${e.seq} · ${e.action}`);
    expect(cardText(history.activity)).toContain(`${entries.length} entries`);
    // Times say their zone.
    expect(cardText(history.activity)).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · /);

    // Work is settled, so the chain does not grow while the command reads it: the count is exact.
    const { count } = await h.app.audit.verify();
    await h.say(users.approver, 'audit verify');
    const verdict = await h.connector.waitFor((c) => /Audit chain intact/.test(cardText(c.activity)), 5000, 'verify');
    expect(cardText(verdict.activity)).toContain(`The audit chain is intact, ${count} entries.`);
  });

  test("audit R-…: a flood of refused clicks is one counted line, so the request's history stays in view", async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    // 60 refused approvals (the requester's own) in a row: more than the 50 lines the card shows.
    for (let i = 0; i < 60; i++)
      await h.app.audit.append({
        actor: users.requester,
        tenantId: request.tenantId,
        action: 'approval.refused.self',
        requestId: request.id,
        targetIds: [],
        outcome: 'refused',
      });
    await h.say(users.outsider, `audit ${request.id}`, 'personal');
    const history = await h.connector.waitFor(
      (c) => new RegExp(`Audit trail of ${request.id}`).test(cardText(c.activity)),
      5000,
      'request history',
    );
    const text = cardText(history.activity);
    expect(text).toContain('request.created');
    expect(text).toMatch(/60 refused clicks: self-approval ×60/);
    expect(text).toContain('refused clicks in a row are one line');
  });
});
