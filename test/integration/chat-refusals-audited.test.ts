/**
 * Refusals in chat leave an audit entry (G11 "every refusal", G10 "rejection plus audit
 * validation.failed"): a read or a revoke refused to someone who may not make it, and a name,
 * option or answer refused before or during the questions of a request, not only one refused
 * while a request is planned. Also: "@acrbot …" typed as text in a 1:1 chat is the command.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { AccessRequest } from '../../src/domain/request';
import { cardText } from '../helpers/capturing-connector';
import type { TeamsUser } from '../helpers/teams-activities';
import { startHarness, users, type Harness } from '../helpers/harness';

let h: Harness;
/** The requester's one request (the per-user limits would refuse more in a minute). */
let request: AccessRequest;
beforeAll(async () => {
  h = await startHarness();
  request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments api');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

/** The newest entry's seq (0 for none): entries after it are a command's. */
async function lastSeq(): Promise<number> {
  return (await h.app.audit.latest(1))[0]?.seq ?? 0;
}

/** The entries `user` caused after `seq`. */
async function entriesOf(user: TeamsUser, seq: number): Promise<AuditEntry[]> {
  return (await h.app.audit.latest(100)).filter((e) => e.seq > seq && e.actor.objectId === user.objectId);
}

/** Says `text` in the 1:1 chat and returns the text of the next thing acrbot sends there. */
async function askPersonal(user: TeamsUser, text: string): Promise<string> {
  const before = h.connector.calls.length;
  expect((await h.say(user, text, 'personal')).status).toBe(200);
  const reply = await h.connector.waitFor(
    (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && cardText(c.activity) !== '',
    10_000,
    `an answer to "${text}"`,
  );
  return cardText(reply.activity);
}

describe('G11: an access-control refusal in chat is audited, one entry each', () => {
  test.each([
    ['status {id}', /belongs to someone else/, { action: 'status.refused', outcome: 'status.notYours', request: true }],
    [
      'pending {id}',
      /Only the approvers of request/,
      { action: 'pending.refused', outcome: 'pending.notApprover', request: true },
    ],
    [
      'pending',
      /Only approvers can list pending requests/,
      { action: 'pending.refused', outcome: 'pending.notApprover', request: false },
    ],
    [
      'access aks-prod',
      /Approvers and auditors only/,
      { action: 'access.refused', outcome: 'refused', request: false },
    ],
    [
      'revoke aks-prod contosoacr',
      /Only approvers may revoke every grant/,
      { action: 'revoke.refused', outcome: 'revoke.notApprover', request: false },
    ],
  ])('the outsider types %j', async (command, refusal, expected) => {
    const seq = await lastSeq();
    const answer = await h.ask(users.outsider, command.replace('{id}', request.id));
    expect(answer).toMatch(refusal);
    const entries = await entriesOf(users.outsider, seq);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: expected.action, outcome: expected.outcome });
    if (expected.request) {
      expect(entries[0]).toMatchObject({
        requestId: request.id,
        targetIds: [request.plan.cluster.id, request.plan.registry.id],
      });
    } else expect(entries[0].requestId).toBeUndefined();
  });
});

describe('G10: a validation refusal before or during the questions is audited as validation.failed', () => {
  test.each([
    // Before the questions: names and options of a command that lacks its reason.
    ['grant my;aks contosoacr', /not a valid cluster name/, 'validation.name'],
    ['grant aks-prod acr#1x', /not a valid registry/, 'validation.name'],
    ['grant aks-prod contosoacr --for 5y', /longer than the maximum access/, 'validation.duration'],
    ['secret aks-dev contosoacr --namespace Bad_NS', /not a valid namespace/, 'validation.option'],
    // A command that does not parse at all.
    ['grant aks-prod contosoacr --for', /--for needs a value/, 'validation.option'],
    ['grant aks-prod contosoacr --for2h hotfix rollout now', /write --for 2h/, 'validation.option'],
  ])('%j', async (command, shown, code) => {
    const seq = await lastSeq();
    const answer = await h.ask(users.requester, command);
    expect(answer).toMatch(shown);
    const entries = await entriesOf(users.requester, seq);
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([['validation.failed', code]]);
    // Nothing was requested, and no question is left open to answer.
    expect(await h.app.store.listByRequester(users.requester.objectId, ['pending'], 100)).not.toContainEqual(
      expect.objectContaining({ reason: expect.stringContaining('hotfix') }),
    );
  });

  test('the same name with a reason (refused while planning) is audited the same way', async () => {
    const seq = await lastSeq();
    expect(await h.ask(users.requester, 'grant my;aks contosoacr valid reason here')).toMatch(
      /not a valid cluster name/,
    );
    const entries = await entriesOf(users.requester, seq);
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([['validation.failed', 'validation.name']]);
  });

  test('an answer to a question that is refused and asked again is audited; the valid answer goes on', async () => {
    expect(await askPersonal(users.outsider, 'grant aks-prod')).toMatch(/Which registry/);
    let seq = await lastSeq();
    expect(await askPersonal(users.outsider, 'acr#1x')).toMatch(/not a valid registry/);
    expect((await entriesOf(users.outsider, seq)).map((e) => [e.action, e.outcome])).toEqual([
      ['validation.failed', 'validation.name'],
    ]);
    expect(await askPersonal(users.outsider, 'contosoacr')).toMatch(/Why is the access needed/);
    seq = await lastSeq();
    expect(await askPersonal(users.outsider, 'x')).toMatch(/at least 8 characters/);
    expect((await entriesOf(users.outsider, seq)).map((e) => [e.action, e.outcome])).toEqual([
      ['validation.failed', 'validation.reason'],
    ]);
    expect(await askPersonal(users.outsider, 'cancel')).toMatch(/Cancelled/);
  });
});

describe('"@acrbot …" typed as text in a 1:1 chat (no mention entity)', () => {
  test("is the command after acrbot's name, as acrbot's own hints write it", async () => {
    const answer = await askPersonal(users.requester, `@acrbot status ${request.id}`);
    expect(answer).not.toMatch(/Unknown command/);
    expect(answer).toContain(request.id);
    expect(answer).toContain('deploy payments api');
  });
});
