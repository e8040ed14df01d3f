/**
 * Without ACRBOT_APPROVAL_CHANNEL (and no rule channel), a request made in a team channel has its
 * approval card there (its requester's copy serves as the approvers'), and a break-glass alert
 * falls back to it too, telling approvers to type "@acrbot pending R-…". So in that channel an
 * approver's `pending R-…`, `status R-…` and `pending` show that request's card: its readers see
 * it already. A request whose approval card is not there (one made in a chat with acrbot) is not
 * shown there: `pending` counts it and `pending R-…` points to a chat with acrbot.
 *
 * The sandbox always fills ACRBOT_APPROVAL_CHANNEL in (applySandboxDefaults), so the started app's
 * two readers of it, the bot's settings and the messenger's, are emptied before any request.
 */
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TEAM_CHANNEL } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

const IN_CHANNEL = 'hotfix for incident INC-4711';
const IN_PRIVATE = 'private reason INC-9000 typed to acrbot alone';
const olive = SANDBOX_USERS.oncall as TeamsUser;

const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

describe('no approvals channel: the request channel is where its approval card is', () => {
  let h: Harness;
  let channelId: string;
  let privateId: string;

  beforeAll(async () => {
    const dir = tempDirs.make('acrbot-audience-no-channel-');
    h = await startHarness({ ACRBOT_POLICY: writePolicyFile(dir, breakGlassPolicyYaml()) });
    h.app.services.settings.approvalChannelId = undefined;
    (h.app.services.messenger as unknown as { lifecycle: { approvalChannelId?: string } }).lifecycle.approvalChannelId =
      undefined;
    channelId = (await h.requestGrant(users.requester, `aks-prod contosoacr ${IN_CHANNEL}`)).id;
    // Made in a chat with acrbot: no approval card is posted anywhere.
    const before = h.connector.calls.length;
    await h.say(users.requester, `grant aks-dev contosoacr ${IN_PRIVATE}`, 'personal');
    const plan = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
      10_000,
      'the plan card',
    );
    privateId = /R-[2-9A-HJKMNP-TV-Z]{8}/.exec(cardText(plan.activity))![0];
    await h.app.services.background.drain();
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('the approval card of the channel request went to the channel itself', async () => {
    const posted = (await h.app.audit.forRequest(channelId)).filter((e) => e.action === 'approval.card.posted');
    expect(posted.map((e) => e.targetIds[0]?.split(';')[0])).toEqual([TEAM_CHANNEL]);
  });

  test.each(['pending {id}', 'status {id}'])("an approver's `%s` there shows the request", async (command) => {
    const reply = await h.turnReplies(users.approver, command.replace('{id}', channelId));
    expect(reply).toContain(IN_CHANNEL);
    expect(reply).not.toContain('ask in a chat with acrbot');
  });

  test("`pending` there lists the channel's request only, and counts the other", async () => {
    const reply = await h.turnReplies(users.approver, 'pending');
    expect(reply).toContain(IN_CHANNEL);
    expect(reply).toContain('1 more waits for you');
    expect(reply).not.toContain('INC-9000');
    expect(reply).not.toContain(privateId);
  });

  test("the private request's card is not posted there", async () => {
    const reply = await h.turnReplies(users.approver, `pending ${privateId}`);
    expect(reply).toContain(`Request ${privateId}: ask in a chat with acrbot`);
    expect(reply).not.toContain('INC-9000');
    expect(await h.turnReplies(users.approver, `pending ${privateId}`, 'personal')).toContain('INC-9000');
  });

  test('the break-glass alert there says "@acrbot pending R-…", which answers there', async () => {
    const request = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const alert = await h.connector.waitFor(
      (c) => c.conversationId.split(';')[0] === TEAM_CHANNEL && /BREAK-GLASS used: /.test(cardText(c.activity)),
      10_000,
      'the break-glass alert in the request channel',
    );
    expect(cardText(alert.activity)).toContain(`@acrbot pending ${request.id}`);
    const reply = await h.turnReplies(users.approver, `pending ${request.id}`);
    expect(reply).toContain('image pull failing');
    expect(reply).not.toContain('ask in a chat with acrbot');
  });
});
