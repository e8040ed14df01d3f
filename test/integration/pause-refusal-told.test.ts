/**
 * The chat refusal while new access is paused says its reader will be told when it is lifted only
 * when acrbot recorded them to be told (docs/operations.md, "Pause new access"): recorded by this
 * refusal or an earlier one in this conversation (told here), or by an earlier one elsewhere (told
 * where first refused); not past the people recorded at most, nor when the record could not be
 * written; an Approve refused to an approver (who is not recorded) never says it. A store too slow
 * for the refusal: pause-refusal-slow-record.test.ts.
 */
import { answerTo } from '../helpers/answer-to';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { MAX_WAITERS, REOPENED_KIND } from '../../src/flows/pause-waiters';
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';

const TOLD_HERE = 'acrbot will tell you here once new access is open again.';
const TOLD_WHERE_FIRST =
  'acrbot will tell you once new access is open again, in the conversation where you were first refused.';

describe('the refusal while paused says they will be told only when they will be', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  /** What acrbot answers `user` there (test/helpers/answer-to.ts: not a "typing…" a slow plan sends first). */
  const ask = (user: (typeof users)[keyof typeof users], text: string, where: 'channel' | 'personal' = 'channel') =>
    answerTo(h, user, text, where);
  const waiting = () => h.app.stores.schedule.withIdPrefix(`${REOPENED_KIND}:`, MAX_WAITERS * 2);
  const jobOf = (user: (typeof users)[keyof typeof users]) => `${REOPENED_KIND}:${user.objectId.toLowerCase()}`;

  test('recorded by the refusal: told here; refused again elsewhere: told where first refused; an answer to a question refused at the end: told here, without a command to repeat; refused again there: told here', async () => {
    // A question-and-answer begun before the pause, refused when its last answer files it.
    // (Paused by the service: typed there, "pause …" would be taken as a possible answer.)
    expect(await ask(users.approver, 'grant aks-prod contosoacr', 'personal')).toMatch(/why/i);
    await h.app.services.pauses.pause(
      { actor: users.approver, tenantId: SANDBOX_TENANT_ID },
      'unexpected grants on prod, investigating',
    );

    const refusal = await ask(users.requester, 'grant aks-prod contosoabac deploy payments-api hotfix');
    expect(refusal).toMatch(/An approver can lift the pause with "@acrbot resume"\. acrbot will tell you here once/);
    expect(refusal).toContain(TOLD_HERE);
    // Recorded before the refusal went out: what it says is already so.
    expect((await waiting()).map((j) => j.id)).toEqual([jobOf(users.requester)]);

    const again = await ask(users.requester, 'grant aks-dev contosoacr deploy to dev', 'personal');
    expect(again).toContain(TOLD_WHERE_FIRST);
    expect(again).not.toContain(TOLD_HERE);

    const answer = await ask(users.approver, 'deploy payments-api during the release', 'personal');
    expect(answer).toContain('New access is paused since');
    expect(answer).toContain(TOLD_HERE);
    const approverJob = (await waiting()).find((j) => j.id === jobOf(users.approver));
    expect(approverJob?.payload).not.toHaveProperty('command');

    // Refused again in the conversation where first refused: that is the one told, so "here".
    const hereAgain = await ask(users.approver, 'grant aks-dev contosoacr deploy to dev', 'personal');
    expect(hereAgain).toContain(TOLD_HERE);
    expect(hereAgain).not.toContain(TOLD_WHERE_FIRST);
  });

  test('past the people recorded at most, or when the record cannot be written, the refusal says nothing of being told', async () => {
    await ask(users.approver, 'pause unexpected grants on prod, investigating', 'personal');
    const { schedule } = h.app.stores;
    for (let i = 0; i < MAX_WAITERS; i++)
      await schedule.putIfAbsent({
        id: `${REOPENED_KIND}:oid-${i}`,
        kind: REOPENED_KIND,
        dueAt: new Date(Date.now() + 3_600_000).toISOString(),
        payload: { conversation: {} },
        attempts: 0,
      });
    const full = await ask(users.requester, 'grant aks-prod contosoabac deploy payments-api hotfix');
    expect(full).toMatch(/New access is paused since[^]*An approver can lift the pause with "@acrbot resume"\.$/);
    expect(full).not.toContain('will tell you');
    expect((await waiting()).some((j) => j.id === jobOf(users.requester))).toBe(false);

    // Room again, but the store fails the record: the refusal stands, without the promise.
    await schedule.delete(`${REOPENED_KIND}:oid-0`);
    const withIdPrefix = schedule.withIdPrefix.bind(schedule);
    schedule.withIdPrefix = async () => {
      throw new Error('store unavailable');
    };
    try {
      const failed = await ask(users.requester, 'grant aks-prod contosoabac deploy payments-api hotfix');
      expect(failed).toContain('New access is paused since');
      expect(failed).not.toContain('will tell you');
    } finally {
      schedule.withIdPrefix = withIdPrefix;
    }
    await h.app.services.background.drain();
    expect(
      h.logs.entries().some((e) => e.level === 50 && e.what === 'recording a requester refused during the pause'),
    ).toBe(true);
  });

  test('an Approve refused while paused does not say its approver will be told', async () => {
    const waitingRequest = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api to dev');
    await ask(users.approver, 'pause unexpected grants on prod, investigating', 'personal');
    const click = await h.click(users.approver, 'approve', { requestId: waitingRequest.id });
    const text = cardText({ attachments: [{ content: click.body.value }] });
    expect(text).toContain('stays pending');
    expect(text).not.toContain('will tell you');
    expect(await waiting()).toEqual([]);
  });
});
