/**
 * Request cards go only where approvers alone read them (approvers-audience.ts), as the audit log
 * does: a requester's reason, typed perhaps in a private chat with acrbot, is not posted into a
 * requesters' channel by an approver's `pending`, `pending R-…` or `status R-…` there (nor tracked
 * there, so a rejection's comment does not follow). A requester's own `status` answers anywhere.
 * And `audit R-…` of the reader's tenant's request lists their tenant's entries only, as `audit N`.
 */
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TEAM_CHANNEL } from '../helpers/teams-activities';
import { OTHER_TENANT } from '../helpers/tenant-b';

const REASON = 'hotfix for incident INC-4711 after Riley medical leave';

describe('request cards where approvers alone read', () => {
  let h: Harness;
  let id: string;

  beforeAll(async () => {
    h = await startHarness({ ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}` });
    const before = h.connector.calls.length;
    await h.say(users.requester, `grant aks-prod contosoacr ${REASON}`, 'personal');
    const plan = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
      10_000,
      'the plan card',
    );
    id = /R-[2-9A-HJKMNP-TV-Z]{8}/.exec(cardText(plan.activity))![0];
    await h.app.services.background.drain();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const inTeamChannel = (from: number) =>
    h.connector.calls.slice(from).filter((c) => String(c.conversationId).startsWith(TEAM_CHANNEL));

  test.each([
    ['pending', 'Pending requests: ask in a chat with acrbot'],
    ['pending {id}', 'Request {id}: ask in a chat with acrbot'],
    ['status {id}', 'Request {id}: ask in a chat with acrbot'],
  ])("an approver's `%s` in a requesters' channel points to a chat with acrbot", async (command, title) => {
    const before = h.connector.calls.length;
    const reply = await h.turnReplies(users.approver, command.replace('{id}', id));
    expect(reply).toContain(title.replace('{id}', id));
    expect(inTeamChannel(before).length).toBeGreaterThan(0);
    expect(inTeamChannel(before).filter((c) => cardText(c.activity).includes('INC-4711'))).toEqual([]);
    await h.app.services.background.drain();
    // Nothing tracked there: later changes of the request (a rejection's comment) do not land there.
    const copies = await h.app.store.listCardCopies(id);
    expect(copies.filter((c) => JSON.stringify(c.conversation).includes(TEAM_CHANNEL))).toEqual([]);
  });

  test.each(['pending', 'pending {id}', 'status {id}'])(
    "an approver's `%s` in a chat with acrbot shows the request",
    async (command) => {
      expect(await h.turnReplies(users.approver, command.replace('{id}', id), 'personal')).toContain('INC-4711');
    },
  );

  test("a requester's own `status` answers in a channel too", async () => {
    expect(await h.turnReplies(users.requester, `status ${id}`)).toContain('INC-4711');
  });

  test("`audit R-…` leaves out the entries of another tenant's people, as `audit N` does", async () => {
    await h.app.audit.append({
      actor: { objectId: '0b000000-0000-4000-8000-00000000fff9', name: 'Fiona OtherTenant' },
      tenantId: OTHER_TENANT,
      action: 'approval.refused.tenant',
      requestId: id,
      targetIds: [],
      outcome: 'refused',
      detail: `the request is of tenant ${SANDBOX_TENANT_ID}, not of the deciding user's`,
    });
    const trail = await h.turnReplies(users.approver, `audit ${id}`, 'personal');
    expect(trail).toContain(`Audit trail of ${id}`);
    expect(trail).toContain('request.created');
    expect(trail).not.toMatch(/Fiona|0b000000-0000-4000-8000-00000000fff9|approval\.refused\.tenant/);
  });
});

describe("an approvers' channel", () => {
  test('gets the request cards of `pending` and `status R-…`', async () => {
    // The channel the harness speaks in, made the approvers' one.
    const h = await startHarness({ ACRBOT_APPROVAL_CHANNEL: TEAM_CHANNEL });
    try {
      const request = await h.requestGrant(users.requester, `aks-prod contosoacr ${REASON}`);
      expect(await h.turnReplies(users.approver, 'pending')).toContain('INC-4711');
      expect(await h.turnReplies(users.approver, `pending ${request.id}`)).toContain('INC-4711');
      expect(await h.turnReplies(users.approver, `status ${request.id}`)).toContain('INC-4711');
    } finally {
      await h.stop();
    }
  });
});
