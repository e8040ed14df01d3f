/**
 * Replies to "Why is the access needed?" that are not reasons: a command with what it acts on
 * (`revoke R-…`, `status R-…`), a short "never mind", options typed as the answer, a greeting.
 * Each is read as what it is; only a reason files a request. Also the commands typed with a
 * colon after the word, and a term option acrbot does not have.
 */
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

describe('replies at the reason question', () => {
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
    // The turn's replies are sent before the HTTP answer to the activity.
    expect((await h.say(user, text, 'personal')).status).toBe(200);
    return h.connector.calls
      .slice(before)
      .map((c) => cardText(c.activity))
      .join('\n');
  }

  async function askReason(user: TeamsUser, start = 'grant aks-dev contosoacr'): Promise<void> {
    expect(await answers(user, start)).toMatch(/Why is the access needed/);
  }

  const pendingReasons = async () => (await h.app.store.listByState(['pending'])).map((r) => r.reason);

  test('revoke, status and extend of a request id are those commands, the questions dropped and said so', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');

    await askReason(users.requester);
    const status = await answers(users.requester, `status ${request.id}`);
    expect(status).toContain('The request you were filling in is stopped; nothing was requested.');
    expect(status).toContain(request.id);

    await askReason(users.requester);
    const extend = await answers(users.requester, `extend ${request.id} --for 30d release still running`);
    expect(extend).toContain('The request you were filling in is stopped');

    await askReason(users.requester);
    const revoke = await answers(users.requester, `revoke ${request.id} no longer needed`);
    expect(revoke).toContain('The request you were filling in is stopped');
    // The revoke's confirmation with the reason given, not a plan card of a new request.
    expect(revoke).toContain(`Revoke ${request.id}?`);
    expect(revoke).toContain('(reason: "no longer needed")');
    expect(revoke).not.toMatch(/Pending approval/);
    // No request was filed with a command as its reason.
    expect((await pendingReasons()).filter((r) => /^(status|extend|revoke) /.test(r))).toEqual([]);
  });

  test('a short "never mind", "cancel this request" or "Stop please, wrong cluster" stops the questions', async () => {
    for (const phrase of ['cancel this request', 'never mind', 'Stop please, wrong cluster', 'Abort.']) {
      await askReason(users.requester);
      expect(await answers(users.requester, phrase)).toContain('Cancelled; nothing was requested.');
    }
    // At the registry question too.
    expect(await answers(users.requester, 'grant aks-dev')).toMatch(/Which registry/);
    expect(await answers(users.requester, 'nevermind, wrong chat')).toContain('Cancelled; nothing was requested.');
    expect(await pendingReasons()).toEqual([]);
    // A longer one is a reason, as before.
    await askReason(users.requester);
    expect(await answers(users.requester, 'stop pulling abac images from docker hub')).toMatch(/R-[2-9A-Z]{8}/);
    expect(await pendingReasons()).toEqual(['stop pulling abac images from docker hub']);
  });

  test('a greeting is no reason: asked again', async () => {
    await askReason(users.requester);
    expect(await answers(users.requester, 'hello, are you there?')).toMatch(/reads as a greeting/);
    expect(await pendingReasons()).toEqual([]);
    expect(await answers(users.requester, 'hotfix deploy of payments')).toMatch(/R-[2-9A-Z]{8}/);
    expect(await pendingReasons()).toEqual(['hotfix deploy of payments']);
  });

  test('--for, --break-glass (also with a dash look-alike) in the answer are refused with the way to give them', async () => {
    await askReason(users.requester);
    for (const answer of [
      '--for 2h hotfix deploy of payments',
      '\u2014for 2h hotfix deploy of payments',
      '--break-glass prod is down, payments cannot pull',
      'hotfix deploy --expires=2h',
    ]) {
      const said = await answers(users.requester, answer);
      expect(said).toContain('options go on the command line');
      expect(said).toContain('grant CLUSTER REGISTRY --for 2h REASON');
    }
    expect(await pendingReasons()).toEqual([]);
    // Other words starting with -- stay part of a reason.
    expect(await answers(users.requester, 'kubectl --namespace payments fails to pull')).toMatch(/R-[2-9A-Z]{8}/);
    expect(await pendingReasons()).toEqual(['kubectl --namespace payments fails to pull']);
  });

  test('a reason that starts with "Grant" is the answer; a grant with a valid cluster and registry starts over', async () => {
    await askReason(users.requester);
    const said = await answers(users.requester, 'Grant needed for the nightly payments deploy');
    expect(said).not.toMatch(/starts over|not a valid/);
    expect(await pendingReasons()).toEqual(['Grant needed for the nightly payments deploy']);

    await askReason(users.requester, 'grant aks-prod contosoacr');
    expect(await answers(users.requester, 'grant aks-dev contosoabac')).toContain('this one starts over');
    expect(await answers(users.requester, 'dev pulls abac images')).toMatch(/R-[2-9A-Z]{8}/);
    const requests = await h.app.store.listByState(['pending']);
    expect(JSON.stringify(requests.find((r) => r.reason === 'dev pulls abac images')?.plan)).toContain('contosoabac');
  });

  test('a term option acrbot does not have is refused, naming --for; nothing is requested', async () => {
    for (const line of [
      'grant aks-dev contosoacr --duration 2h hotfix deploy',
      'grant aks-dev contosoacr --ttl=3d hotfix deploy',
      'grant aks-dev contosoacr --hours 12h hotfix deploy',
    ]) {
      const said = await answers(users.requester, line);
      expect(said).toMatch(/Unknown option --(duration|ttl|hours): use --for (2h|3d|12h)/);
    }
    expect(await pendingReasons()).toEqual([]);
  });

  test('a colon or comma after the command word: the command', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const status = await answers(users.requester, `Status: ${request.id}`);
    expect(status).not.toMatch(/Unknown command/);
    expect(status).toContain(request.id);
    expect(await answers(users.requester, 'grant, aks-dev contosoacr deploy payments')).toMatch(/R-[2-9A-Z]{8}/);
    expect(await pendingReasons()).toContain('deploy payments');
  });
});
