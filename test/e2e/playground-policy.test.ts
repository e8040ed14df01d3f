/**
 * G18 through a real Teams client (Microsoft 365 Agents Playground): a policy file that asks for
 * two approvers on production. Riley asks, Alex approves (the card shows "1 of 2 so far: Alex
 * Approver" and nothing is granted), Alex cannot approve twice, Megan's approval grants.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_APPROVAL_CHANNEL_ID, SANDBOX_APPROVER_GROUP_ID } from '../../src/sandbox/fixtures';
import {
  cardActions,
  messageText,
  type PlaygroundMessage,
  PlaygroundSession,
  type PlaygroundUser,
} from '../../scripts/playground/api';
import { logsOf, type Stack, startE2eStack } from './support/e2e-stack';

const REQUEST_ID = /R-[2-9A-Z]{8}/;
const POLICY = `version: 1
rules:
  - id: prod-two
    match: { cluster: "aks-prod*", clusterTags: { env: prod } }
    approvers: { name: Platform Approvers, groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }
    approvalsRequired: 2
    channel: "${SANDBOX_APPROVAL_CHANNEL_ID}"
  - id: default
    match: {}
    approvers: { groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }
`;

function invokeText(res: { body: any }): string {
  return messageText({ attachments: [{ contentType: 'card', content: res.body?.value }] });
}

describe('G18 in Microsoft 365 Agents Playground: a two-approver policy', () => {
  let stack: Stack;
  let pg: PlaygroundSession;
  let dir: string;
  let alex: PlaygroundUser;
  let megan: PlaygroundUser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'acrbot-e2e-policy-'));
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    stack = await startE2eStack('policy', { ACRBOT_POLICY: join(dir, 'policy.yaml') });
    pg = await PlaygroundSession.open(stack.playgroundUrl);
    alex = pg.user('Alex Approver');
    megan = pg.user('Megan Developer');
  }, 120_000);

  afterAll(async () => {
    try {
      pg?.close();
      await stack?.stop();
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new Error(`${what}: ${(err as Error).message}\n${logsOf(stack)}`);
    }
  }

  test('two approvals from different approvers grant; the first is shown on every copy, a second click by the same approver is refused', async () => {
    const approvals = pg.channel('approvals');
    const sent = await pg.say(pg.team.id, 'grant aks-prod contosoacr deploy payments-api', { mention: true });
    const plan: PlaygroundMessage = await step('plan card', () =>
      pg.waitFor(
        (m) => m.conversationId === sent.conversationId && REQUEST_ID.test(messageText(m)),
        'the plan card in the request thread',
      ),
    );
    const requestId = messageText(plan).match(REQUEST_ID)![0];
    expect(messageText(plan)).toContain('Rule prod-two: needs 2 approvals from Platform Approvers; 0 of 2 so far');
    const approval = await step('approval card', () =>
      pg.waitFor(
        (m) => m.parentId === approvals && messageText(m).includes(requestId),
        'the approval card in the rule channel',
      ),
    );
    expect(cardActions(approval).map((a) => a.verb)).toEqual(expect.arrayContaining(['approve', 'reject']));

    const first = await pg.click(approval, 'approve', { as: alex });
    expect(first.status).toBe(200);
    expect(invokeText(first)).toContain('1 of 2 so far: Alex Approver');
    expect(invokeText(first)).toContain('Pending approval');
    // The requester's copy is updated in place with the progress.
    await step('progress on the requester copy', () =>
      pg.waitForUpdate(plan.messageId, /1 of 2 so far: Alex Approver/, 'the plan card to show 1 of 2'),
    );

    const twice = await pg.click(approval, 'approve', { as: alex });
    expect(invokeText(twice)).toMatch(/You already approved request/);

    const second = await pg.click(approval, 'approve', { as: megan });
    expect(second.status).toBe(200);
    expect(invokeText(second)).toMatch(/Executing/);
    const done = await step('granted', () =>
      pg.waitForUpdate(approval.messageId, /Granted/, 'the approval card to turn Granted'),
    );
    expect(messageText(done)).toContain('Megan Developer');
    await step('outcome card', () =>
      pg.waitFor(
        (m) => m.conversationId === plan.conversationId && /Pull access granted/.test(messageText(m)),
        'the outcome card in the request thread',
      ),
    );
  });

  test('an incident: Alex pauses new access in the approvals channel, Riley is refused, Alex resumes with the card’s button, Riley can ask again', async () => {
    const approvals = pg.channel('approvals');
    await pg.sayAs(alex, approvals, 'pause unexpected grants on prod, investigating', { mention: true });
    const paused = await step('the pause card', () =>
      pg.waitFor((m) => m.parentId === approvals && /New access paused/.test(messageText(m)), 'the pause card'),
    );
    expect(messageText(paused)).toContain('unexpected grants on prod, investigating');

    const refused = await pg.say(pg.team.id, 'grant aks-dev contosoacr deploy payments-api to dev', { mention: true });
    const refusal = await step('the refusal', () =>
      pg.waitFor(
        (m) => m.conversationId === refused.conversationId && /New access is paused since/.test(messageText(m)),
        'the refusal in the request thread',
      ),
    );
    expect(messageText(refusal)).toContain('by Alex Approver. Nothing was requested.');
    expect(messageText(refusal)).not.toContain('investigating');

    await pg.sayAs(alex, approvals, 'resume incident closed', { mention: true });
    const confirm = await step('the confirmation card', () =>
      pg.waitFor((m) => m.parentId === approvals && /Resume new access\?/.test(messageText(m)), 'the Resume card'),
    );
    expect(cardActions(confirm).map((a) => a.verb)).toEqual(['resumeConfirm']);
    const resumed = await pg.click(confirm, 'resumeConfirm', { as: alex });
    expect(resumed.status).toBe(200);
    expect(invokeText(resumed)).toContain('New access resumed');
    // Typed in the approvals channel: answered there once, not posted there a second time.
    expect(
      [...pg.messages.values()].filter((m) => m.parentId === approvals && /New access paused/.test(messageText(m))),
    ).toHaveLength(1);

    const again = await pg.say(pg.team.id, 'grant aks-dev contosoacr deploy payments-api to dev', { mention: true });
    await step('a plan card again', () =>
      pg.waitFor(
        (m) => m.conversationId === again.conversationId && REQUEST_ID.test(messageText(m)),
        'the plan card after the pause',
      ),
    );
  });
});
