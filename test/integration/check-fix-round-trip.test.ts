/**
 * `check`'s fix, copied and sent back, does what it says, through the real app and the emulated
 * ARM: a registry named by id when two registries share its name (the sandbox's `sharedacr`) is
 * named by id in the suggested grant too, which plans that very registry rather than answering
 * that the name is ambiguous; a grant asked for by that id is told to `check` by it too (its plan
 * records how it was named); and the extend command goes only to the grant's requester, while
 * anyone else (check is anyone's) is told whose it is.
 */
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { callsWithText, type Harness, startHarness, users } from '../helpers/harness';

const sharedData = sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedData);

describe("check's fix, copied", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  test('a registry named by id, whose name two registries share: the suggested grant plans that registry', async () => {
    const check = await h.ask(users.requester, `check aks-prod ${sharedData}`);
    const fix = /@acrbot grant (\S+) (\S+) REASON…/.exec(check);
    expect(fix?.slice(1)).toEqual(['aks-prod', sharedData]);

    const request = await h.requestGrant(users.requester, `${fix![1]} ${fix![2]} deploy payments-api`);
    expect(request.plan.cluster.name).toBe('aks-prod');
    expect(request.plan.registry.id.toLowerCase()).toBe(sharedData.toLowerCase());
  });

  test("a grant asked for by the registry's id: its outcome says to check the pair by that id, which copied works", async () => {
    const request = await h.requestGrant(users.requester, `aks-prod ${sharedData} deploy payments-api`);
    expect(request.plan.typed).toEqual({ cluster: 'name', registry: 'id' });
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');

    const outcome = callsWithText(h.connector, /If pulls still fail after 30 minutes/).map((c) => cardText(c.activity));
    const check = /If pulls still fail after 30 minutes: "@acrbot (check \S+ \S+)"\./.exec(outcome.join('\n'));
    expect(check?.[1]).toBe(`check aks-prod ${sharedData}`);
    const answer = await h.ask(users.requester, check![1]);
    expect(answer).not.toContain('There are 2 registries named sharedacr');
    expect(answer).toContain(request.id);
  });

  test('the grant ending soon: its requester is told to extend it, and can; anyone else is told whose it is', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 2d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');

    for (const who of [users.approver, users.outsider]) {
      const check = await h.ask(who, 'check aks-prod contosoacr');
      expect(check).not.toContain('@acrbot extend');
      expect(check).toContain(
        `Only Riley Requester, who asked for ${request.id}, can extend it before it ends; to keep pulling after that, ask for your own grant: @acrbot grant aks-prod contosoacr REASON…`,
      );
    }
    // The grant offered instead is one they may ask for: it waits for approval like any other.
    const theirs = await h.requestGrant(users.outsider, 'aks-prod contosoacr deploy payments-api');
    expect(theirs).toMatchObject({ state: 'pending', requester: { objectId: users.outsider.objectId } });

    const own = await h.ask(users.requester, 'check aks-prod contosoacr');
    const extend = /@acrbot (extend R-\w+) REASON…/.exec(own);
    expect(extend?.[1]).toBe(`extend ${request.id}`);
    const extension = await h.ask(users.requester, `${extend![1]} --for 30d release still running`);
    expect(extension).toContain(`Extend ${request.id}: AcrPull for aks-prod on contosoacr`);
    expect(extension).toContain('Pending approval');
  });
});
