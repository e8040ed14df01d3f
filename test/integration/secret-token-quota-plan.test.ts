/**
 * A `--kind token` secret is checked at plan time against the registry's limits of tokens and
 * scope maps (ACR: 100 on Basic, 500 on Standard, 50,000 on Premium, each), counted through the
 * emulated ARM's paged listings: a full registry refuses the request before it is stored or put
 * to approvers; a nearly full one (90%) is said on the plan card, the approvers' copy too; a count
 * acrbot cannot read plans on without a word to the user, logged once; with room, nothing is said.
 */
import type { AccessRequest } from '../../src/domain/request';
import { resetRoomUnreadWarnings, ROOM_UNREAD_MESSAGE } from '../../src/flows/registry-token-room';
import type { RegistryRecord } from '../../src/sandbox/arm/registries';
import { SANDBOX_APPROVAL_CHANNEL_ID, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type CapturedCall, cardText } from '../helpers/capturing-connector';
import { invokeText, refreshView } from '../helpers/card-views';
import { type Harness, startHarness, users } from '../helpers/harness';
import { azureWrites, replyMatching } from '../helpers/refusal-checks';
import { TEAM_CHANNEL } from '../helpers/teams-activities';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const WITH_REPOSITORIES =
  'secret aks-dev contosoacr --namespace payments --repositories team/app pull for payments-api';
const ALL_REPOSITORIES = 'aks-dev contosoacr --namespace payments pull for payments-api';
const NEAR =
  /registry contosoacr held 9\d of the 100 tokens its Basic SKU allows: once it is full, Azure refuses new ones and the run fails\./;

describe('a token secret planned against the registry limits', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    // Small pages: the count follows nextLink as ARM pages it.
    h.app.sandbox!.arm.state.pageSize = 7;
  });
  afterEach(async () => {
    // Its warning is spaced per registry per process: each test sees its own.
    resetRoomUnreadWarnings();
    await h.stop();
  });

  const registry = (): RegistryRecord => h.app.sandbox!.arm.state.getRegistry(contosoId)!;

  /** A Basic registry holding `tokens` tokens and `scopeMaps` scope maps of its own, made by someone else. */
  function fill(tokens: number, scopeMaps = 0): void {
    const r = registry();
    r.sku = 'Basic';
    const now = new Date().toISOString();
    for (let i = r.tokens.size; i < tokens; i++)
      r.tokens.set(`other-${i}`, {
        id: `${r.id}/tokens/other-${i}`,
        name: `other-${i}`,
        scopeMapId: `${r.id}/scopeMaps/_repositories_pull`,
        status: 'enabled',
        creationDate: now,
        passwords: [],
      });
    for (let i = 0; i < scopeMaps; i++)
      r.scopeMaps.set(`other-map-${i}`, {
        id: `${r.id}/scopeMaps/other-map-${i}`,
        name: `other-map-${i}`,
        description: 'someone else',
        system: false,
        actions: ['repositories/x/content/read'],
        creationDate: now,
      });
  }

  const stored = async (): Promise<AccessRequest[]> => h.app.store.listByState(['pending'], 10);
  /** A card sent (not an update) naming `r`: not the message mentioning its approvers, which names it too. */
  const isCardOf = (c: CapturedCall, r: AccessRequest) =>
    c.op !== 'update' && (c.activity.attachments?.length ?? 0) > 0 && cardText(c.activity).includes(r.id);
  /** `r`'s approvers' copy as posted in the approvals channel, once sent; the only one. */
  async function approversCopy(r: AccessRequest): Promise<CapturedCall> {
    const posted = await h.connector.waitFor(
      (c) => isCardOf(c, r) && c.conversationId === SANDBOX_APPROVAL_CHANNEL_ID,
      10_000,
      "the approvers' copy",
    );
    expect(
      h.connector.calls.filter((c) => isCardOf(c, r) && c.conversationId.startsWith(SANDBOX_APPROVAL_CHANNEL_ID)),
    ).toEqual([posted]);
    return posted;
  }
  /** `r`'s requester's copy as posted: the card answering their message, in its thread in the team channel. */
  function requestersCopy(r: AccessRequest): CapturedCall {
    const posted = h.connector.calls.filter((c) => isCardOf(c, r) && c.conversationId.startsWith(`${TEAM_CHANNEL};`));
    expect(posted).toHaveLength(1);
    return posted[0]!;
  }

  test('at the token limit: refused at plan time, which limit and what to do said; nothing stored or written', async () => {
    fill(100);
    const before = azureWrites(h, contosoId);
    const text = await replyMatching(h, `secret ${ALL_REPOSITORIES}`, /Registry contosoacr holds/);
    expect(text).toContain(
      'Registry contosoacr holds 100 of the 100 tokens its Basic SKU allows (100 on Basic, 500 on Standard, 50,000 on Premium), so Azure would refuse the new token this request needs. Nothing was requested.',
    );
    // The run's refusal's advice, word for word.
    expect(text).toContain(
      'The platform team can delete tokens and scope maps nobody uses, or move the registry to a higher SKU; or ask for --kind sp, which uses neither.',
    );
    expect(await stored()).toEqual([]);
    // Nothing written (the plan's target check reads the cluster's credential, a POST: not a write).
    expect(azureWrites(h, contosoId)).toEqual({ ...before, arm: expect.any(Number) });
    expect(
      h.app.sandbox!.arm.requests.filter(
        (r: { method: string; operation: string }) =>
          r.method !== 'GET' && !r.operation.startsWith('managedClusters.list'),
      ),
    ).toEqual([]);
    // Counted through every page: 100 tokens at 7 a page.
    const tokenPages = h.app.sandbox!.arm.requests.filter((r: { operation: string }) => r.operation === 'tokens.list');
    expect(tokenPages).toHaveLength(15);
  });

  test('past the limit: the count stops at the page that reaches it; no further page asked for', async () => {
    // Azure refuses creates at the limit; 140 is the count's own bound tested, not a registry ACR makes.
    fill(140);
    const text = await replyMatching(h, `secret ${ALL_REPOSITORIES}`, /Registry contosoacr holds/);
    // Counted up to the limit and no further: "at least 100" is all "full" needs.
    expect(text).toContain('Registry contosoacr holds 100 of the 100 tokens its Basic SKU allows');
    const tokenPages = h.app.sandbox!.arm.requests.filter((r: { operation: string }) => r.operation === 'tokens.list');
    // 15 pages of 7 reach 100; the 20 of the whole listing are not asked for.
    expect(tokenPages).toHaveLength(15);
  });

  test('at the scope-map limit with --repositories: the scope-map limit named, and --kind sp offered without --repositories', async () => {
    fill(0, 100);
    const text = await replyMatching(h, WITH_REPOSITORIES, /Registry contosoacr holds/);
    expect(text).toContain('Registry contosoacr holds 100 of the 100 scope maps its Basic SKU allows');
    expect(text).toContain('so Azure would refuse the new scope map this request needs');
    expect(text).toContain('or ask again with --kind sp and without --repositories');
    expect(await stored()).toEqual([]);
  });

  test('a full count of scope maps does not refuse a request that makes none (all repositories)', async () => {
    fill(0, 100);
    const request = await h.requestSecret(users.requester, ALL_REPOSITORIES);
    expect(request.state).toBe('pending');
    expect(request.plan.kind === 'secret' && request.plan.targetCheck).toBeUndefined();
  });

  test('near the limit: the warning on the plan card and the approvers’ copy, while pending', async () => {
    // Exactly 90% of Basic's 100: the first count that warns (89, below, does not).
    fill(90);
    h.connector.clear();
    const request = await h.requestSecret(users.requester, ALL_REPOSITORIES);
    expect(request.state).toBe('pending');
    expect(request.plan.kind === 'secret' && request.plan.targetCheck).toMatch(NEAR);
    // As posted, where each reads it: the requester's in their thread, the approvers' copy in the
    // approvals channel, and the approver's own view of that copy (its refresh).
    expect(cardText(requestersCopy(request).activity)).toMatch(NEAR);
    const approvers = await approversCopy(request);
    expect(cardText(approvers.activity)).toMatch(NEAR);
    expect(invokeText(await refreshView(h, users.approver, request.id))).toMatch(NEAR);
    // Approved, the run still fits: the warning was a hint, gone from the approvers' copy redrawn.
    await h.click(users.approver, 'approve', { requestId: request.id }, approvers.activityId);
    const done = await h.settle(request.id);
    expect(done.state).toBe('succeeded');
    await h.app.services.background.drain();
    const redrawn = h.connector.calls.filter((c) => c.op === 'update' && c.activityId === approvers.activityId);
    expect(redrawn.length).toBeGreaterThan(0);
    const last = cardText(redrawn[redrawn.length - 1]!.activity);
    expect(last).toMatch(/\bGranted\b/);
    expect(last).not.toMatch(NEAR);
  });

  test('a count acrbot may not read (403): no warning, the plan goes on, one warning logged', async () => {
    fill(100);
    h.app.sandbox!.arm.faults.add({
      operation: 'tokens.list',
      status: 403,
      code: 'AuthorizationFailed',
      message: 'no',
    });
    const request = await h.requestSecret(users.requester, ALL_REPOSITORIES);
    expect(request.state).toBe('pending');
    expect(request.plan.kind === 'secret' && request.plan.targetCheck).toBeUndefined();
    const warned = h.logs.entries().filter((e) => e.msg === ROOM_UNREAD_MESSAGE);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, registry: 'contosoacr' });
  });

  test('throttled past the retries (429): no warning, the plan goes on', async () => {
    fill(95);
    h.app.sandbox!.arm.faults.add({
      operation: 'scopeMaps.list',
      status: 429,
      code: 'TooManyRequests',
      headers: { 'retry-after-ms': '1' },
      count: 20,
    });
    const request = await h.requestSecret(users.requester, ALL_REPOSITORIES);
    expect(request.state).toBe('pending');
    expect(request.plan.kind === 'secret' && request.plan.targetCheck).toBeUndefined();
    expect(h.logs.entries().filter((e) => e.msg === ROOM_UNREAD_MESSAGE)).toHaveLength(1);
  });

  test('the SKU comes with the registry the plan read: the count reads the registry no second time', async () => {
    fill(95);
    const reads = () =>
      h.app.sandbox!.arm.requests.filter((r: { operation: string }) => r.operation.startsWith('registries.')).length;
    const sp = reads();
    await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments --kind sp pull for payments-api');
    const spReads = reads() - sp;
    const before = reads();
    const request = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace web pull for web-api');
    // As many registry reads as a plan that counts nothing; the Basic SKU still judged.
    expect(reads() - before).toBe(spReads);
    expect(request.plan.kind === 'secret' && request.plan.targetCheck).toMatch(NEAR);
  });

  test('below it: no row, nothing logged', async () => {
    fill(89);
    const request = await h.requestSecret(users.requester, ALL_REPOSITORIES);
    expect(request.plan.kind === 'secret' && request.plan.targetCheck).toBeUndefined();
    expect(JSON.stringify((await approversCopy(request)).activity)).not.toContain('"Check"');
    expect(h.logs.entries().filter((e) => e.msg === ROOM_UNREAD_MESSAGE)).toEqual([]);
  });

  test('a grant (P8) makes no token: its plan lists neither tokens nor scope maps', async () => {
    fill(100, 100);
    const request = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    expect(request.state).toBe('pending');
    const listed = h.app.sandbox!.arm.requests.filter((r: { operation: string }) =>
      ['tokens.list', 'scopeMaps.list'].includes(r.operation),
    );
    expect(listed).toEqual([]);
  });

  test('--kind sp makes no token: nothing counted, not refused at the limit', async () => {
    fill(100, 100);
    const request = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --kind sp pull for payments-api',
    );
    expect(request.state).toBe('pending');
    const listed = h.app.sandbox!.arm.requests.filter((r: { operation: string }) =>
      ['tokens.list', 'scopeMaps.list'].includes(r.operation),
    );
    expect(listed).toEqual([]);
  });
});
