/**
 * A request id at the end of a sentence typed with a CJK input method ("status R-7K2M9QXA。"):
 * each command answers it as it answers "status R-7K2M9QXA." (chat-hunt-commands.test.ts), naming
 * the mark as typed and the command that works; nothing changes.
 */
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

describe('a request id with CJK punctuation after it, in chat', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  /** Says `text` in a chat with acrbot; the texts of everything acrbot answered in that turn. */
  async function answers(user: TeamsUser, text: string): Promise<string> {
    const before = h.connector.calls.length;
    expect((await h.say(user, text, 'personal')).status).toBe(200);
    return h.connector.calls
      .slice(before)
      .map((c) => cardText(c.activity))
      .join('\n');
  }

  test('status, revoke, extend and audit name the mark and the command that works; nothing changes', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const seq = (await h.app.audit.latest(1))[0].seq;
    const problem = (marks: string, command: string) =>
      `"${request.id}${marks}" is not a request id: the "${marks}" after it is not part of it. Type "@acrbot ${command}". Nothing was changed.`;

    expect(await answers(users.requester, `status ${request.id}。`)).toContain(problem('。', `status ${request.id}`));
    expect(await answers(users.requester, `status ${request.id}．`)).toContain(problem('．', `status ${request.id}`));
    // Read as "revoke CLUSTER REGISTRY" else: the requester would be told only approvers revoke pairs.
    const revoke = await answers(users.requester, `revoke ${request.id}、 no longer needed`);
    expect(revoke).toContain(problem('、', `revoke ${request.id} REASON…`));
    expect(revoke).not.toMatch(/Only approvers|cluster name/);
    const approverRevoke = await answers(users.approver, `revoke ${request.id}！ oops`);
    expect(approverRevoke).toContain(problem('！', `revoke ${request.id} REASON…`));
    expect(approverRevoke).not.toMatch(/not a valid cluster name/);
    expect(await answers(users.requester, `extend ${request.id}。 --for 30d release still running`)).toContain(
      problem('。', `extend ${request.id} --for 30d REASON…`),
    );
    expect(await answers(users.approver, `audit ${request.id}：`)).toContain(problem('：', `audit ${request.id}`));

    // Nothing was revoked, extended or asked for.
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
    expect(await h.app.store.listByState(['pending'])).toEqual([]);
    const since = (await h.app.audit.latest(50)).filter((e) => e.seq > seq).map((e) => e.action);
    expect(since.filter((a) => /revoke|extend|created|validation|refused/.test(a))).toEqual([]);
  });
});
