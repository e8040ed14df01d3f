/**
 * G17 through a real Teams client (Microsoft 365 Agents Playground, API + stream): a grant for
 * one minute that revokes itself (every copy updated, the requester told), and a revoke by the
 * requester with its confirmation card. The bot runs with the minimum lowered to 1m and a 1 s
 * sweep, so the expiry happens in real time (waited for as an event, not slept).
 */
import { cardActions, messageText, type PlaygroundMessage, PlaygroundSession } from '../../scripts/playground/api';
import { logsOf, type Stack, startE2eStack } from './support/e2e-stack';

const REQUEST_ID = /R-[2-9A-Z]{8}/;

describe('access lifecycle in Microsoft 365 Agents Playground', () => {
  let stack: Stack;
  let pg: PlaygroundSession;

  beforeAll(async () => {
    stack = await startE2eStack('lifecycle', {
      ACRBOT_MIN_ACCESS_DURATION: '1m',
      ACRBOT_SWEEP_INTERVAL: '1s',
      ACRBOT_EXPIRY_REMINDERS: 'none',
    });
    pg = await PlaygroundSession.open(stack.playgroundUrl);
  }, 120_000);

  afterAll(async () => {
    pg?.close();
    await stack?.stop();
  });

  async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new Error(`${what}: ${(err as Error).message}\n${logsOf(stack)}`);
    }
  }

  /** Asks in General, approves as Alex, waits until every copy says Granted. */
  async function granted(args: string): Promise<{ id: string; plan: PlaygroundMessage; approval: PlaygroundMessage }> {
    const general = pg.team.id;
    const approvals = pg.channel('approvals');
    const sent = await pg.say(general, `grant ${args}`, { mention: true });
    const plan = await step('plan card', () =>
      pg.waitFor((m) => m.conversationId === sent.conversationId && REQUEST_ID.test(messageText(m)), 'the plan card'),
    );
    const id = messageText(plan).match(REQUEST_ID)![0];
    const approval = await step('approval card', () =>
      pg.waitFor((m) => m.parentId === approvals && messageText(m).includes(id), 'the approval card'),
    );
    await pg.click(approval, 'approve', { as: pg.user('Alex Approver') });
    await step('granted', () => pg.waitForUpdate(plan.messageId, /Granted/, 'the plan card to turn Granted', 30_000));
    return { id, plan, approval };
  }

  test('grant --for 1m: shown on the cards, revoked by itself at its end, every copy updated, the requester told', async () => {
    const { id, plan, approval } = await granted('aks-prod contosoacr --for 1m deploy payments-api');
    const grantedCard = await pg.waitForUpdate(plan.messageId, /Granted/, 'granted');
    expect(messageText(grantedCard)).toMatch(/until \d{4}-\d\d-\d\d \d\d:\d\d UTC, 1 minute/);
    // Real time: the sweep (every second) revokes once the minute is over.
    for (const m of [plan, approval])
      await step('copy shows the end', () =>
        pg.waitForUpdate(m.messageId, /Expired and revoked at/, `message ${m.messageId} to say revoked`, 120_000),
      );
    const told = await step('requester told', () =>
      pg.waitFor(
        (m) => m.conversationId === plan.conversationId && /Expired and revoked: /.test(messageText(m)),
        'the message to the requester',
        30_000,
      ),
    );
    expect(messageText(told)).toContain(id);
  }, 240_000);

  test('revoke by the requester: a confirmation card lists what will be deleted; Revoke now ends it', async () => {
    const { id, plan } = await granted('aks-dev contosoacr --for 1h deploy payments-api');
    await pg.say(pg.personalChatId, `revoke ${id} not needed any more`);
    const confirm = await step('confirmation card', () =>
      pg.waitFor(
        (m) => m.conversationId === pg.personalChatId && new RegExp(`Revoke ${id}\\?`).test(messageText(m)),
        'the confirmation card',
      ),
    );
    expect(messageText(confirm)).toContain('Delete role assignment AcrPull');
    expect(cardActions(confirm).map((a) => a.verb)).toEqual(['revokeConfirm']);
    const res = await pg.click(confirm, 'revokeConfirm');
    expect(res.status).toBe(200);
    await step('revoked', () =>
      pg.waitForUpdate(plan.messageId, /Revoked at .* by Riley Requester/, 'the plan card to say revoked', 30_000),
    );
  }, 120_000);
});
