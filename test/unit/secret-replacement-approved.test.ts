/**
 * A secret run replaces (and retires the credential of) only the earlier request its approved plan
 * names (`plan.replaces`, shown on the card as "Replaces secret … from R-…"): a secret another
 * request wrote after the plan (a race), or one the plan did not record (a plan stored before the
 * field existed), is refused before any credential exists, and nothing is overwritten or deleted.
 */
import { context, refusalOf, requestReplacing, world, writer } from './support/secret-run-world';

const P_ID = 'R-PPPPPPPP';
const P_TOKEN = 'acrbot-r-pppppppp';

describe('the run replaces only the secret the approved plan names (F1)', () => {
  test('race: approved as "create", another request wrote the secret since: refused before any credential', async () => {
    const P = writer(P_ID, 'uid-P');
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-P' });
    const { ctx, records, audited } = context();
    const err = await refusalOf(runner.run(requestReplacing(null), ctx));
    expect(err.code).toBe('secret.replacementNotApproved');
    expect(err.message).toContain(`acrbot wrote for request ${P_ID}`);
    expect(err.message).toContain('the approved plan replaces no secret');
    expect(err.message).toMatch(/Ask again/);
    // Nothing created, written or deleted: P's secret and token stay, and P keeps its access.
    expect(calls).toEqual([]);
    expect(records).toEqual([]);
    expect(audited).toEqual([expect.objectContaining({ action: 'kubernetes.write.secret', outcome: 'refused' })]);
  });

  test('the plan names an earlier request, and a later one replaced it since: refused', async () => {
    const O = writer('R-QQQQQQQQ', 'uid-P');
    const P = writer(P_ID, 'uid-P');
    const { runner, calls } = world([O, P], { labelledBy: P_ID, uid: 'uid-P' });
    const { ctx } = context();
    const err = await refusalOf(runner.run(requestReplacing({ requestId: O.id, uid: 'uid-P' }), ctx));
    expect(err.code).toBe('secret.replacementNotApproved');
    expect(err.message).toContain(`the approved plan replaces the secret of ${O.id}`);
    expect(calls).toEqual([]);
  });

  test('the plan names the request, but its secret is another object now: refused', async () => {
    // P's resumed write made a new object (deleted and created again) after this plan.
    const P = writer(P_ID, 'uid-P2');
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-P2' });
    const { ctx } = context();
    const err = await refusalOf(runner.run(requestReplacing({ requestId: P_ID, uid: 'uid-P1' }), ctx));
    expect(err.code).toBe('secret.replacementNotApproved');
    expect(calls).toEqual([]);
  });

  test('control: the plan names the request whose secret it is: replaced, and its token retired', async () => {
    const P = writer(P_ID, 'uid-P');
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-P' });
    const { ctx } = context();
    const outcome = await runner.run(requestReplacing({ requestId: P_ID, uid: 'uid-P' }), ctx);
    expect(outcome.secret?.action).toBe('replaced');
    expect(calls).toEqual(['createToken:acrbot-r-rrrrrrrr', 'replace@7', `deleteToken:${P_TOKEN}`]);
  });
});

describe('a plan stored before it recorded what it replaces (legacy): unknown, never another request', () => {
  test("another request's secret is refused, not replaced", async () => {
    const P = writer(P_ID, 'uid-P');
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-P' });
    const { ctx } = context();
    const err = await refusalOf(runner.run(requestReplacing('absent'), ctx));
    expect(err.code).toBe('secret.replacementNotApproved');
    expect(err.message).toContain('the approved plan does not record which secret it replaces');
    expect(calls).toEqual([]);
  });

  test('no secret there: created as before', async () => {
    const { runner, calls } = world([]);
    const { ctx } = context();
    const outcome = await runner.run(requestReplacing('absent'), ctx);
    expect(outcome.secret?.action).toBe('created');
    expect(calls).toEqual(['createToken:acrbot-r-rrrrrrrr', 'create']);
  });
});

describe("an extension rotates its original's secret (its plan is the original's, copied)", () => {
  const O_ID = 'R-QQQQQQQQ';
  // The copied plan says what the original replaced when it was planned: not what the extension replaces.
  const extension = () => requestReplacing(null, { extendsRequestId: O_ID });

  test("the original's secret: replaced, the original's token retired", async () => {
    const O = writer(O_ID, 'uid-O');
    const { runner, calls } = world([O], { labelledBy: O_ID, uid: 'uid-O' });
    const { ctx } = context();
    const outcome = await runner.run(extension(), ctx);
    expect(outcome.secret?.action).toBe('replaced');
    expect(calls).toContain('deleteToken:acrbot-r-qqqqqqqq');
  });

  test('the secret an earlier extension of the same original wrote: replaced', async () => {
    const E1 = writer('R-EEEEEEEE', 'uid-O', { extendsRequestId: O_ID });
    const { runner, calls } = world([E1], { labelledBy: E1.id, uid: 'uid-O' });
    const { ctx } = context();
    const outcome = await runner.run(extension(), ctx);
    expect(outcome.secret?.action).toBe('replaced');
    expect(calls).toContain('deleteToken:acrbot-r-eeeeeeee');
  });

  test("another request's secret: refused", async () => {
    const P = writer(P_ID, 'uid-P');
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-P' });
    const { ctx } = context();
    const err = await refusalOf(runner.run(extension(), ctx));
    expect(err.code).toBe('secret.replacementNotApproved');
    expect(err.message).toContain(`this request extends ${O_ID}, not ${P_ID}`);
    expect(calls).toEqual([]);
  });
});
