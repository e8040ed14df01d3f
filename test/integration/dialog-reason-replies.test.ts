/**
 * Replies to "Why is the access needed?" that are not reasons: a command with what it acts on
 * (`revoke R-…`, `status R-…`), a short "never mind", options typed as the answer, a greeting.
 * Each is read as what it is; only a reason files a request. Also the commands typed with a
 * colon after the word, and a term option acrbot does not have.
 */
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
  const answers = (user: TeamsUser, text: string) => h.turnReplies(user, text, 'personal');

  async function askReason(user: TeamsUser, start = 'grant aks-dev contosoacr'): Promise<void> {
    expect(await answers(user, start)).toMatch(/Why is the access needed/);
  }

  const pendingReasons = async () => (await h.app.store.listByState(['pending'])).map((r) => r.reason);

  /** The reasons of the requests filed, waiting or withdrawn by {@link filedThenWithdrawn}. */
  const filedReasons = async () => (await h.app.store.listByState(['pending', 'cancelled'])).map((r) => r.reason);

  /**
   * `said` is the plan card of a request filed; it is withdrawn, so the next reason for the same
   * pair files a request too rather than being refused as its twin (one waiting per target).
   */
  async function filedThenWithdrawn(said: string): Promise<void> {
    expect(said).toMatch(/Pending approval/);
    expect(await answers(users.requester, `cancel ${/R-[2-9A-Z]{8}/.exec(said)![0]}`)).toMatch(/[Cc]ancelled/);
  }

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

  test('cancel R-… at the reason question withdraws that request and says the question is still open', async () => {
    const pending = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await askReason(users.requester);
    const said = await answers(users.requester, `cancel ${pending.id}`);
    expect(said).toContain('The request you were filling in still waits for your answer');
    expect((await h.app.store.get(pending.id))!.state).toBe('cancelled');
    // The question is still open: the next reply is its answer.
    await answers(users.requester, 'deploy payments-api to dev');
    expect(await pendingReasons()).toEqual(['deploy payments-api to dev']);
  });

  test('"never mind", "cancel this request" or "Stop please, wrong cluster" stop the questions; a cancel word with more is a reason', async () => {
    for (const phrase of ['cancel this request', 'never mind', 'Stop please, wrong cluster', 'Abort.']) {
      await askReason(users.requester);
      expect(await answers(users.requester, phrase)).toContain('Cancelled; nothing was requested.');
    }
    // At the registry question too.
    expect(await answers(users.requester, 'grant aks-dev')).toMatch(/Which registry/);
    expect(await answers(users.requester, 'nevermind, wrong registry')).toContain('Cancelled; nothing was requested.');
    expect(await pendingReasons()).toEqual([]);
    // A cancel word followed by anything but filler is why the access is needed.
    const reasons = [
      'stop the prod outage',
      'cancel the stuck canary release',
      'abort failing nightly deploy job',
      'stop pulling abac images from docker hub',
    ];
    for (const reason of reasons) {
      await askReason(users.requester);
      const said = await answers(users.requester, reason);
      expect(said).not.toContain('Cancelled');
      await filedThenWithdrawn(said);
    }
    expect((await filedReasons()).sort()).toEqual([...reasons].sort());
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
      'hotfix deploy --expires=2h',
    ]) {
      const said = await answers(users.requester, answer);
      expect(said).toContain('options go on the command line');
      expect(said).toContain('grant CLUSTER REGISTRY --for 2h REASON');
    }
    // The line to type keeps --break-glass: retyped as "--for 2h", the request would be an ordinary one.
    const glass = await answers(users.requester, '--break-glass prod is down, payments cannot pull');
    expect(glass).toContain('options go on the command line');
    expect(glass).toContain('e.g. "grant CLUSTER REGISTRY --break-glass REASON…"');
    expect(glass).not.toContain('--for 2h');
    // --duration is refused on the command line too: the term option is named.
    const duration = await answers(users.requester, 'hotfix deploy --duration 2h');
    expect(duration).toContain(
      '--duration is not an option, in an answer or on the command line: the term option is --for.',
    );
    expect(duration).not.toContain('options go on the command line');
    expect(await pendingReasons()).toEqual([]);
    // Other words starting with -- stay part of a reason.
    expect(await answers(users.requester, 'kubectl --namespace payments fails to pull')).toMatch(/R-[2-9A-Z]{8}/);
    expect(await pendingReasons()).toEqual(['kubectl --namespace payments fails to pull']);
  });

  test('a refusal that already says "cancel" says it once; one that does not gets the way to stop', async () => {
    await askReason(users.requester);
    for (const reply of ['Access denied', '--for 2h hotfix deploy']) {
      const said = await answers(users.requester, reply);
      expect(said).toContain('"cancel"');
      expect(said.match(/cancel/g)).toHaveLength(1);
      expect(said).not.toContain('(type "cancel" to stop)');
    }
    expect(await answers(users.requester, 'hello, are you there?')).toMatch(
      /reads as a greeting.*\(type "cancel" to stop\)/,
    );
    expect(await pendingReasons()).toEqual([]);
  });

  test('in the secret dialog the line to type is a secret command', async () => {
    await askReason(users.requester, 'secret aks-dev contosoacr --namespace payments');
    const said = await answers(users.requester, '--for 2h dev needs images');
    expect(said).toContain('e.g. "secret CLUSTER REGISTRY --for 2h REASON…"');
    expect(said).not.toContain('grant CLUSTER');
    const glass = await answers(users.requester, '--break-glass dev needs images');
    expect(glass).toContain('a secret request has no break-glass');
    expect(await pendingReasons()).toEqual([]);
    // Still the secret being filled in: the next answer files it.
    expect(await answers(users.requester, 'dev needs images from the registry')).toMatch(/R-[2-9A-Z]{8}/);
    const [filed] = await h.app.store.listByState(['pending']);
    expect(filed.reason).toBe('dev needs images from the registry');
    expect(JSON.stringify(filed)).toContain('payments');
  });

  test('--duration with a term --for takes names that term, any other gets no term to copy', async () => {
    expect(await answers(users.requester, 'grant aks-dev contosoacr --duration permanent hotfix deploy')).toContain(
      'Unknown option --duration: use --for permanent. Nothing was requested.',
    );
    expect(await answers(users.requester, 'grant aks-dev contosoacr --ttl 1 day hotfix deploy')).toContain(
      'Unknown option --ttl: use --for with a term, e.g. --for 2h or --for 30d. Nothing was requested.',
    );
    expect(await pendingReasons()).toEqual([]);
  });

  const hint = (verb: string) =>
    `That reads like a new "${verb}" command. To ${verb === 'grant' || verb === 'secret' ? 'start over' : 'run it'}, type "cancel" first, then the command; otherwise give the reason in other words.`;

  test('a reply starting with grant or secret never drops the request: a valid pair after it is asked again, anything else is the reason', async () => {
    await askReason(users.requester, 'grant aks-prod contosoacr');
    for (const [reply, verb] of [
      ['Grant needed because deploys fail', 'grant'],
      ['grant aks-dev contosoabac', 'grant'],
      ['secret needed because deploys fail', 'secret'],
    ]) {
      const said = await answers(users.requester, reply);
      expect(said).toContain(hint(verb));
      expect(said).not.toMatch(/starts over|Could not plan|Which registry/);
    }
    expect(await pendingReasons()).toEqual([]);
    // The request being filled in is still the one asked about: the next answer files it.
    expect(await answers(users.requester, 'deploys of payments fail')).toMatch(/Pending approval/);
    const [filed] = await h.app.store.listByState(['pending']);
    expect(filed.reason).toBe('deploys of payments fail');
    expect(JSON.stringify(filed.plan)).toContain('aks-prod');
    expect(JSON.stringify(filed.plan)).not.toContain('contosoabac');

    for (const reason of ['Grant needed for the nightly payments deploy', 'Grant urgently']) {
      await askReason(users.requester);
      await filedThenWithdrawn(await answers(users.requester, reason));
    }
    expect((await filedReasons()).sort()).toEqual(
      ['Grant needed for the nightly payments deploy', 'Grant urgently', 'deploys of payments fail'].sort(),
    );
  });

  test('check or policy of a valid pair and access NAME are asked again with a hint, neither run nor filed', async () => {
    await askReason(users.requester);
    for (const [reply, verb] of [
      ['Access denied', 'access'],
      ['access aks-prod', 'access'],
      ['check aks-prod contosoacr', 'check'],
      ['check aks-prod contosoacr.', 'check'],
      ['policy aks-prod contosoacr?', 'policy'],
    ]) {
      const said = await answers(users.requester, reply);
      expect(said).toContain(hint(verb));
      // Not run: no access listing or refusal, no check card, the question not stopped.
      expect(said).not.toMatch(/Approvers and auditors only|Can aks-prod pull|is stopped|Pending approval/);
    }
    expect(await pendingReasons()).toEqual([]);
    expect(await answers(users.requester, 'check aks-prod contosoacr please')).toMatch(/Pending approval/);
    expect(await pendingReasons()).toEqual(['check aks-prod contosoacr please']);
  });

  test('revoke CLUSTER REGISTRY is asked again with a hint: not filed as the reason of a grant of that pair, not run', async () => {
    const granted = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: granted.id });
    expect((await h.settle(granted.id)).state).toBe('succeeded');

    await askReason(users.requester, 'grant aks-dev contosoacr');
    for (const reply of ['revoke aks-prod contosoacr no longer needed', 'Revoke: aks-prod contosoacr.']) {
      const said = await answers(users.requester, reply);
      expect(said).toContain(hint('revoke'));
      expect(said).not.toMatch(/Only approvers|is stopped|Pending approval/);
    }
    expect(await pendingReasons()).toEqual([]);
    // The request being filled in still waits for its reason.
    expect(await answers(users.requester, 'second team deploys payments')).toMatch(/Pending approval/);
    expect(await pendingReasons()).toEqual(['second team deploys payments']);

    // An approver, who may revoke a pair: neither run at the question, but after "cancel".
    await askReason(users.approver);
    const asked = await answers(users.approver, 'revoke aks-prod contosoacr no longer needed');
    expect(asked).toContain(hint('revoke'));
    expect(asked).not.toContain('no longer needed');
    expect(await answers(users.approver, 'cancel')).toContain('Cancelled; nothing was requested.');
    expect(await answers(users.approver, 'revoke aks-prod contosoacr no longer needed')).toContain(
      '(reason: "no longer needed")',
    );
    expect((await h.app.store.get(granted.id))!.state).toBe('succeeded');
  });

  test('a term option acrbot does not have is refused, naming --for; other options with a term are reason words', async () => {
    for (const line of [
      'grant aks-dev contosoacr --duration 2h hotfix deploy',
      'grant aks-dev contosoacr --ttl=3d hotfix deploy',
      'grant aks-dev contosoacr --valid-for 12h hotfix deploy',
    ]) {
      const said = await answers(users.requester, line);
      expect(said).toMatch(/Unknown option --(duration|ttl|valid-for): use --for (2h|3d|12h)/);
    }
    expect(await pendingReasons()).toEqual([]);
    const reasons = ['kubectl logs --since 1h shows ImagePullBackOff', 'helm upgrade --timeout 10m fails on pull'];
    for (const reason of reasons) {
      const said = await answers(users.requester, `grant aks-dev contosoacr ${reason}`);
      expect(said).not.toMatch(/Unknown option/);
      await filedThenWithdrawn(said);
    }
    expect((await filedReasons()).sort()).toEqual([...reasons].sort());
  });

  test('a colon or comma after the command word: dropped for commands taking a request id or a pair only', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const status = await answers(users.requester, `Status: ${request.id}`);
    expect(status).not.toMatch(/Unknown command/);
    expect(status).toContain(request.id);
    expect(await answers(users.requester, 'Check, aks-prod contosoacr')).toContain(
      'Can aks-prod pull from contosoacr?',
    );
    // "Pause," is no pause: at the reason question, the reason; nothing paused.
    await askReason(users.requester);
    const said = await answers(users.requester, 'Pause, deploys blocked until registry fixed');
    expect(said).not.toMatch(/Nothing was paused|paused/i);
    expect(said).toMatch(/Pending approval/);
    expect(await pendingReasons()).toContain('Pause, deploys blocked until registry fixed');
  });
});
