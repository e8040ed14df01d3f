/**
 * acrbot through a real Teams client: Microsoft 365 Agents Playground, driven through the
 * local HTTP API and WebSocket stream its web UI uses (scripts/playground/api.ts), no browser.
 * The sandbox bot and the Playground run as child processes on free loopback ports; the
 * Playground uses the checked-in playground/.m365agentsplayground.yml.
 *
 * Bot messages are matched by request id or unique text, and card updates by message id: the
 * stream broadcasts every bot message to every client, in order.
 */
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import {
  SANDBOX_APPROVAL_CHANNEL_ID,
  SANDBOX_CLUSTERS,
  SANDBOX_TENANT_ID,
  SANDBOX_USERS,
} from '../../src/sandbox/fixtures';
import {
  cardActions,
  messageText,
  type PlaygroundMessage,
  PlaygroundSession,
  type PlaygroundUser,
} from '../../scripts/playground/api';
import { logsOf, type Stack, startE2eStack } from './support/e2e-stack';

const REQUEST_ID = /R-[2-9A-Z]{8}/;

describe('acrbot in Microsoft 365 Agents Playground (API + stream)', () => {
  let stack: Stack;
  let pg: PlaygroundSession;
  /** A second client of the stream, like another person's open Playground window. */
  let other: PlaygroundSession;
  let riley: PlaygroundUser;
  let alex: PlaygroundUser;
  let general: string;
  let approvals: string;

  beforeAll(async () => {
    stack = await startE2eStack('api');
    pg = await PlaygroundSession.open(stack.playgroundUrl);
    other = await PlaygroundSession.open(stack.playgroundUrl);
    riley = pg.me;
    alex = pg.user('Alex Approver');
    general = pg.team.id;
    approvals = pg.channel('approvals');
  }, 120_000);

  afterAll(async () => {
    pg?.close();
    other?.close();
    await stack?.stop();
  });

  /** Fails with both logs attached, so a failure shows what the bot and the Playground said. */
  async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new Error(`${what}: ${(err as Error).message}\n${logsOf(stack)}`);
    }
  }

  test('the checked-in Playground config is the sandbox world: tenant, requester, seeded approver, approvals channel, msteams', () => {
    const c = pg.config.config;
    expect(pg.config.internalConfig.channelId).toBe('msteams');
    expect(c.tenantId).toBe(SANDBOX_TENANT_ID);
    expect(riley).toMatchObject({ aadObjectId: SANDBOX_USERS.requester.objectId, name: SANDBOX_USERS.requester.name });
    expect(alex).toMatchObject({ aadObjectId: SANDBOX_USERS.approver.objectId });
    expect(pg.user('Oscar Outsider').aadObjectId).toBe(SANDBOX_USERS.outsider.objectId);
    expect(approvals).toBe(SANDBOX_APPROVAL_CHANNEL_ID);
    expect(pg.personalChatId).toBeTruthy();
    expect(pg.groupChat.members).toEqual(expect.arrayContaining([alex.id]));
  });

  test('the Playground listens on loopback only', async () => {
    expect(new URL(stack.playgroundUrl).hostname).toBe('127.0.0.1');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) return; // no non-loopback interface on this machine: nothing else to check
    const reachable = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: external.address, port: stack.playgroundPort, timeout: 2000 });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    expect(reachable).toBe(false);
  });

  /** A grant request as its requester and the approvers see it. */
  interface RequestedGrant {
    plan: PlaygroundMessage;
    approval: PlaygroundMessage;
    requestId: string;
  }

  /**
   * The stages of one grant (aks-prod → contosoacr), each run once, on first use, by whichever
   * test needs it first: every test sets up what it asserts on, so the tests pass in any order
   * and alone (`-t`). A stage records what it saw at the time (a later stage moves the request on).
   */
  const once = <T>(fn: () => Promise<T>): (() => Promise<T>) => {
    let result: Promise<T> | undefined;
    return () => (result ??= fn());
  };

  /** Stage 1: Riley asks with an @mention in General. */
  const requested = once(async (): Promise<RequestedGrant & { postConversationId: string | undefined }> => {
    const sent = await pg.say(general, 'grant aks-prod contosoacr deploy payments-api', { mention: true });
    const plan = await step('plan card', () =>
      pg.waitFor(
        (m) => m.conversationId === sent.conversationId && REQUEST_ID.test(messageText(m)),
        'the plan card in the request thread',
      ),
    );
    const requestId = messageText(plan).match(REQUEST_ID)![0];
    const approval = await step('approval card', () =>
      pg.waitFor(
        (m) => m.parentId === approvals && messageText(m).includes(requestId),
        'the approval card in the approvals channel',
      ),
    );
    return { plan, approval, requestId, postConversationId: sent.postConversationId };
  });

  /** Stage 2: Riley presses Approve on the approval card, then asks for the status. */
  const selfApprovalTried = once(async () => {
    const { approval, requestId } = await requested();
    const res = await pg.click(approval, 'approve', { as: riley });
    const status = await step('status after the refused click', async () => {
      await pg.say(pg.personalChatId, `status ${requestId}`);
      return pg.waitFor(
        (m) => m.conversationId === pg.personalChatId && messageText(m).includes(requestId),
        'the status card',
      );
    });
    return { res, status };
  });

  /** Stage 3: Alex approves (after the refused self-approval, so the audit trail has both). */
  const approved = once(async () => {
    const grant = await requested();
    await selfApprovalTried();
    const res = await pg.click(grant.approval, 'approve', { as: alex });
    const approvalDone = await step('approval copy updated', () =>
      pg.waitForUpdate(grant.approval.messageId, /Granted/, 'the approval card to turn Granted'),
    );
    const planDone = await step('requester copy updated', () =>
      pg.waitForUpdate(grant.plan.messageId, /Granted/, 'the plan card to turn Granted'),
    );
    const outcome = await step('outcome card', () =>
      pg.waitFor(
        (m) => m.conversationId === grant.plan.conversationId && /Pull access granted/.test(messageText(m)),
        'the outcome card in the request thread',
      ),
    );
    return { ...grant, res, approvalDone, planDone, outcome };
  });

  test('grant in a team channel with an @mention: plan card in the thread, approval card in the approvals channel', async () => {
    const { plan, approval, requestId, postConversationId } = await requested();
    expect(postConversationId).toMatch(new RegExp(`^${general.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};messageid=`));
    const planText = messageText(plan);
    for (const expected of [
      requestId,
      'aks-prod',
      SANDBOX_CLUSTERS.prod.kubeletObjectId,
      'contosoacr.azurecr.io',
      'AcrPull',
      'deploy payments-api',
      // The copy as first posted (stage 1 captured it before anyone clicked).
      'Pending approval',
      'SANDBOX',
      'Riley Requester',
    ])
      expect(planText).toContain(expected);
    expect(planText).not.toMatch(/\$\{|\{\{/);
    // The requester's copy has no decision buttons.
    expect(cardActions(plan).map((a) => a.verb)).not.toContain('approve');
    expect(approval.conversationId).toMatch(/;messageid=/);
    expect(cardActions(approval).map((a) => a.verb)).toEqual(expect.arrayContaining(['approve', 'reject']));
  });

  test('self-approval is refused: the requester presses Approve on the approval card', async () => {
    const { res, status } = await selfApprovalTried();
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('application/vnd.microsoft.card.adaptive');
    const text = messageText({ attachments: [{ contentType: 'card', content: res.body.value }] });
    expect(text).toMatch(/someone else must approve/);
    expect(text).toContain('Pending approval');
    expect(messageText(status)).toMatch(/Pending approval/);
  });

  test('the approver approves: the clicked card shows Executing at once, every copy is updated in place to Granted, the requester gets the outcome with the manifest snippet', async () => {
    const { res, approval, plan, approvalDone, planDone, outcome, requestId } = await approved();
    expect(res.status).toBe(200);
    expect(messageText({ attachments: [{ contentType: 'card', content: res.body.value }] })).toMatch(/Executing/);

    // Every copy — the requester's plan card in General and the approvers' card in approvals — is updated, same message ids.
    for (const copy of [approvalDone, planDone]) {
      expect(messageText(copy)).toContain('Alex Approver');
      expect(cardActions(copy).map((a) => a.verb)).not.toContain('approve');
    }
    const updates = pg.events.filter(
      (e) => e.action === 'updateMessage' && [approval.messageId, plan.messageId].includes(e.message!.messageId),
    );
    expect(new Set(updates.map((e) => e.message!.messageId))).toEqual(new Set([approval.messageId, plan.messageId]));
    // Everyone's window gets the same updates.
    for (const id of [approval.messageId, plan.messageId])
      await step('update seen by another window', () =>
        other.waitForUpdate(id, /Granted/, `message ${id} to turn Granted in the other window`),
      );
    // No card was re-posted: in the team, exactly the two original messages carry the request card.
    const cards = [...pg.messages.values()].filter(
      (m) =>
        (m.parentId === general || m.parentId === approvals) &&
        messageText(m).includes(requestId) &&
        /Grant AcrPull to aks-prod/.test(messageText(m)),
    );
    expect(cards.map((m) => m.messageId).sort()).toEqual([approval.messageId, plan.messageId].sort());

    const text = messageText(outcome);
    expect(text).toContain(requestId);
    expect(text).toContain('image: contosoacr.azurecr.io/');
    expect(text).toContain(SANDBOX_CLUSTERS.prod.kubeletObjectId);
    expect(text).not.toMatch(/\$\{|\{\{/);
  });

  test('asking again for the same access: "Access already exists", no new approval card', async () => {
    await approved();
    const before = [...pg.messages.values()].filter((m) => m.parentId === approvals).length;
    const sent = await pg.say(general, 'grant aks-prod contosoacr second deployment', { mention: true });
    await step('already exists', () =>
      pg.waitFor(
        (m) => m.conversationId === sent.conversationId && /Access already exists/.test(messageText(m)),
        'the already-exists card',
      ),
    );
    // The already-exists card is the last thing that turn sends (no request, so nothing is posted
    // after it): once it is here, the approvals channel has everything the turn will ever post.
    expect([...pg.messages.values()].filter((m) => m.parentId === approvals)).toHaveLength(before);
  });

  test('help, in the personal chat and with an @mention in the group chat', async () => {
    await pg.say(pg.personalChatId, 'help');
    const help = await step('help', () =>
      pg.waitFor(
        (m) => m.conversationId === pg.personalChatId && /acrbot commands/.test(messageText(m)),
        'the help card in the personal chat',
      ),
    );
    for (const verb of ['grant', 'secret', 'status', 'pending', 'audit', 'cancel'])
      expect(messageText(help)).toContain(`Example: @acrbot ${verb}`);
    await pg.say(pg.groupChat.id, 'help', { mention: true });
    await step('help in group chat', () =>
      pg.waitFor(
        (m) => m.conversationId === pg.groupChat.id && /acrbot commands/.test(messageText(m)),
        'the help card in the group chat',
      ),
    );
  });

  test("audit: refused for the requester; the approver reads the request's trail and verifies the chain", async () => {
    const { requestId } = await approved();
    await pg.say(pg.personalChatId, 'audit');
    await step('audit refused', () =>
      pg.waitFor(
        (m) => m.conversationId === pg.personalChatId && /Approvers and auditors only/.test(messageText(m)),
        'the refusal',
      ),
    );

    await pg.sayAs(alex, approvals, `audit ${requestId}`, { mention: true });
    const trail = await step('audit trail', () =>
      pg.waitFor(
        (m) => m.parentId === approvals && messageText(m).includes(`Audit trail of ${requestId}`),
        'the audit trail card',
      ),
    );
    const text = messageText(trail);
    for (const action of ['request.created', 'approval.refused.self', 'request.approved', 'azure.write.roleAssignment'])
      expect(text).toContain(action);
    expect(text.indexOf('request.created')).toBeLessThan(text.indexOf('request.approved'));

    await pg.sayAs(alex, approvals, 'audit verify', { mention: true });
    await step('audit verify', () =>
      pg.waitFor((m) => m.parentId === approvals && /Audit chain intact/.test(messageText(m)), 'the chain check'),
    );
  });

  test('secret in a team channel: plan card, approval by another user, outcome with the imagePullSecrets snippet; the password is never shown', async () => {
    const sent = await pg.say(general, 'secret aks-dev contosoacr --namespace payments pull secret for payments', {
      mention: true,
    });
    const secretPlan = await step('secret plan card', () =>
      pg.waitFor(
        (m) =>
          m.conversationId === sent.conversationId &&
          REQUEST_ID.test(messageText(m)) &&
          /Pull secret for contosoacr in aks-dev \(payments\/acr-auth\)/.test(messageText(m)),
        'the secret plan card',
      ),
    );
    const id = messageText(secretPlan).match(REQUEST_ID)![0];
    for (const expected of [
      'ACR token',
      'payments/acr-auth',
      'all repositories of contosoacr, including ones pushed later',
      'contosoacr.azurecr.io',
    ])
      expect(messageText(secretPlan)).toContain(expected);
    const secretApproval = await step('secret approval card', () =>
      pg.waitFor((m) => m.parentId === approvals && messageText(m).includes(id), 'the secret approval card'),
    );
    const refused = await pg.click(secretApproval, 'approve', { as: riley });
    expect(messageText({ attachments: [{ contentType: 'card', content: refused.body.value }] })).toMatch(
      /someone else must approve/,
    );
    const res = await pg.click(secretApproval, 'approve', { as: alex });
    expect(res.status).toBe(200);
    await step('secret approval copy updated', () =>
      pg.waitForUpdate(secretApproval.messageId, /Granted/, 'the secret approval card to turn Granted'),
    );
    const outcome = await step('secret outcome', () =>
      pg.waitFor(
        (m) => m.conversationId === secretPlan.conversationId && /Pull secret created/.test(messageText(m)),
        'the secret outcome card',
      ),
    );
    const text = messageText(outcome);
    expect(text).toContain('imagePullSecrets');
    expect(text).toContain('acr-auth');
    expect(text).toContain(`acrbot-${id.toLowerCase()}`);
    expect(text).not.toMatch(/"password"|passwords|secretText/i);
  });

  test('nothing tried to leave the machine', async () => {
    // A grant carried out end to end is the traffic that would reach Azure if anything leaked out.
    await approved();
    expect(stack.blockedConnections()).toEqual([]);
  });
});
