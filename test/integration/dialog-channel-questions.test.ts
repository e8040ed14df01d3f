/**
 * The request dialog's questions in a channel or group chat say to answer with an @mention of
 * acrbot: there Teams delivers a message to acrbot only when it mentions acrbot, so a plain
 * reply never arrives and the question would wait, unanswered, until the dialog expires. The
 * re-asks and their "cancel" hints say the same. A 1:1 chat, which gets every message, is asked
 * as before.
 */
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { channelMessage, postActivity } from '../helpers/teams-activities';

describe('questions where acrbot hears only its mentions', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  /**
   * Says `text` (with acrbot's mention, as Teams delivers it) in the conversation `conversation`
   * and returns the texts of everything acrbot answered in that turn.
   */
  async function mentionIn(conversation: Record<string, unknown>, text: string): Promise<string> {
    const message = channelMessage(users.requester, text, { serviceUrl: h.serviceUrl });
    message.conversation = conversation;
    if (conversation.conversationType === 'groupChat')
      message.channelData = { tenant: (message.channelData as { tenant: unknown }).tenant };
    const before = h.connector.calls.length;
    // The turn's replies are sent before the HTTP answer to the activity.
    expect((await postActivity(h.app.url, message)).status).toBe(200);
    return h.connector.calls
      .slice(before)
      .map((c) => cardText(c.activity))
      .join('\n');
  }

  test('in a channel thread every question and re-ask says to start the reply with @acrbot', async () => {
    const thread = {
      id: '19:platform-requests@thread.tacv2;messageid=4711',
      conversationType: 'channel',
      isGroup: true,
    };
    const cluster = await mentionIn(thread, 'grant --for 2h');
    expect(cluster).toBe(
      'Which cluster needs pull access? (name, resourceGroup/name or resource id; "@acrbot cancel" to stop) Reply in this thread starting with @acrbot.',
    );
    expect(await mentionIn(thread, 'aks-prod')).toBe(
      'Which registry should it pull from? (name or resource id) Reply in this thread starting with @acrbot.',
    );
    // A re-ask without a cancel hint of its own gets one naming the mention.
    expect(await mentionIn(thread, 'contosoacr deploys fail')).toBe(
      'That is more than one name: this question takes one registry (name or resource id). Type just its name, e.g. "contosoacr"; the reason is asked next. (type "@acrbot cancel" to stop) Reply in this thread starting with @acrbot.',
    );
    expect(await mentionIn(thread, 'contosoacr')).toMatch(
      /^Why is the access needed\?.* Reply in this thread starting with @acrbot\.$/,
    );
    // A refusal whose hint names "cancel" names it with the mention, once.
    const option = await mentionIn(thread, '--break-glass deploys fail');
    expect(option).toContain('Type "@acrbot cancel", then the whole request on one line');
    expect(option).not.toContain('to stop)');
    expect(option).toMatch(/ Reply in this thread starting with @acrbot\.$/);
    expect(await mentionIn(thread, 'cancel')).toContain('Cancelled; nothing was requested.');
  });

  test('cancel R-… at a question in a channel says the question waits, and how to stop it there', async () => {
    const pending = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const thread = {
      id: '19:platform-requests@thread.tacv2;messageid=4712',
      conversationType: 'channel',
      isGroup: true,
    };
    await mentionIn(thread, 'grant aks-prod');
    const said = await mentionIn(thread, `cancel ${pending.id}`);
    expect(said).toContain(
      'The request you were filling in still waits for your answer (type "@acrbot cancel" to stop it). Reply in this thread starting with @acrbot.',
    );
  });

  test('in a group chat the question says to start the reply with @acrbot', async () => {
    const chat = { id: '19:groupchat1@thread.v2', conversationType: 'groupChat', isGroup: true };
    expect(await mentionIn(chat, 'grant aks-prod')).toBe(
      'Which registry should it pull from? (name or resource id) Reply starting with @acrbot.',
    );
  });

  test('in a 1:1 chat, which gets every message, the questions name no mention', async () => {
    const say = (text: string) => h.turnReplies(users.requester, text, 'personal');
    expect(await say('grant --for 2h')).toBe(
      'Which cluster needs pull access? (name, resourceGroup/name or resource id; "cancel" to stop)',
    );
    expect(await say('aks-prod')).toBe('Which registry should it pull from? (name or resource id)');
    expect(await say('contosoacr')).toBe('Why is the access needed? (this goes to the approver and the audit log)');
    expect(await say('--for 2h deploys fail')).not.toContain('@acrbot');
  });
});
