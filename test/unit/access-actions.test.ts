/**
 * `AccessActions` without I/O:
 * - `revocable`, the revoke rule for list rows: exactly `mayRevoke`'s answer for each request,
 *   with the approver question asked once per distinct set of approvers (not once per row);
 * - `createExtension` twice at once on one instance (a double click): the second is refused while
 *   the first is being created, whatever the store says yet;
 * - an extension of another tenant's request is "not found", whoever asks (chat and the tab check it too);
 * - a secret's extension sizes its new credential by the term the rule that fits today's tags
 *   grants, as a new secret's is.
 */
import { AccessActions } from '../../src/flows/access-actions';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { UserFacingError } from '../../src/domain/errors';
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest, Actor } from '../../src/domain/request';
import type { SecretPlan } from '../../src/domain/plan';
import type { RequestFacts } from '../../src/domain/policy';
import { APPROVER, OUTSIDER, REQUESTER, pendingRequest, secretPlan } from './support/requests';

/** The actor acting in the fixtures' tenant (the revoke rule checks the tenant boundary too). */
const acting = (actor: Actor) => ({ actor, tenantId: pendingRequest().tenantId });

const rule = (id: string, users: string[], groups: string[] = []) =>
  ({ id, approvers: { users, groups } }) as unknown as PolicyRule;

describe('AccessActions.revocable', () => {
  const rules: Record<string, PolicyRule> = {
    a: rule('a', [APPROVER.objectId]),
    // Same approvers under another id and name: the same answer, asked once.
    a2: { ...rule('a2', [APPROVER.objectId]), approvers: { users: [APPROVER.objectId], groups: [], name: 'A' } },
    b: rule('b', [OUTSIDER.objectId], ['group-b']),
  };
  const asked: string[] = [];
  const refusals: string[] = [];
  const requests = {
    ruleOf: (r: AccessRequest) => rules[r.policy!.ruleId],
    recordRefusal: async (e: { action: string; outcome: string; requestId?: string }) =>
      void refusals.push(`${e.action}:${e.outcome}:${e.requestId}`),
    // Every approver here has an enabled account (disabled-approver-clicks.test.ts tests the rest).
    approverAccountEnabled: async () => true,
    async isApproverOf(actor: Actor, r: AccessRequest) {
      asked.push(r.id);
      if (actor.objectId === r.requester.objectId) return false;
      return rules[r.policy!.ruleId]!.approvers.users.includes(actor.objectId);
    },
  };
  const actions = new AccessActions(requests as never, {} as never, {} as never);
  const active = (id: string, ruleId: string, overrides: Partial<AccessRequest> = {}) =>
    pendingRequest({
      id,
      state: 'succeeded',
      policy: { ruleId, policyHash: 'h', approvalsRequired: 1 },
      ...overrides,
    });

  beforeEach(() => {
    asked.splice(0);
    refusals.splice(0);
  });

  test('the same answers as mayRevoke, one approver question per distinct approver set', async () => {
    const rows = [
      active('R-AAAAAAA1', 'a'),
      active('R-AAAAAAA2', 'a'),
      active('R-AAAAAAA3', 'a2'),
      active('R-BBBBBBB1', 'b'),
      active('R-BBBBBBB2', 'b'),
      active('R-CCCCCCC1', 'b', { state: 'revoked' }),
      active('R-DDDDDDD1', 'b', { requester: APPROVER }),
    ];
    const answers = await actions.revocable(acting(APPROVER), rows);
    expect(answers).toEqual([true, true, true, false, false, false, true]);
    expect(asked.sort()).toEqual(['R-AAAAAAA1', 'R-BBBBBBB1']);
    const one = await Promise.all(
      rows.map((r) =>
        actions.mayRevoke(acting(APPROVER), r).then(
          () => true,
          () => false,
        ),
      ),
    );
    expect(one).toEqual(answers);
  });

  test('mayRevokeEach (a click of many ids) answers as mayRevoke, asking once per distinct approver set', async () => {
    const rows = [
      active('R-AAAAAAA1', 'a'),
      active('R-AAAAAAA2', 'a'),
      active('R-AAAAAAA3', 'a2'),
      active('R-BBBBBBB1', 'b'),
    ];
    const mayRevoke = actions.mayRevokeEach(acting(APPROVER));
    const answers = await Promise.all(
      rows.map((r) =>
        mayRevoke(r).then(
          (target) => target.id,
          (err: UserFacingError) => err.code,
        ),
      ),
    );
    expect(answers).toEqual(['R-AAAAAAA1', 'R-AAAAAAA2', 'R-AAAAAAA3', 'revoke.notAllowed']);
    expect(asked.sort()).toEqual(['R-AAAAAAA1', 'R-BBBBBBB1']);
    // Refused as mayRevoke refuses: audited on its request.
    expect(refusals).toEqual(['revoke.refused:revoke.notAllowed:R-BBBBBBB1']);
  });

  test('access already being revoked is not offered, and a revoke is refused: it would only rename who ended it', async () => {
    const ending = active('R-EEEEEEE2', 'a', { access: { revokingSince: '2025-01-15T09:30:00.000Z' } });
    expect(await actions.revocable(acting(APPROVER), [ending, active('R-EEEEEEE3', 'a')])).toEqual([false, true]);
    await expect(actions.mayRevoke(acting(REQUESTER), ending)).rejects.toThrow(
      /R-EEEEEEE2 is already being revoked \(since 2025-01-15 09:30 UTC\); acrbot retries/,
    );
    // An attempt (not the button's question): audited.
    expect(refusals).toEqual(['revoke.refused:revoke.running:R-EEEEEEE2']);
  });

  test('someone who may not revoke it is told only that, never what state it is in', async () => {
    const ending = active('R-EEEEEEE4', 'a', { access: { revokingSince: '2025-01-15T09:30:00.000Z' } });
    for (const request of [active('R-EEEEEEE5', 'a', { state: 'pending' }), ending]) {
      const refused = await actions.mayRevoke(acting(OUTSIDER), request).then(
        () => undefined,
        (err: UserFacingError) => err,
      );
      expect(refused?.code).toBe('revoke.notAllowed');
      expect(refused?.message).not.toMatch(/pending|being revoked/);
    }
  });

  test("a drifted grant's details are its requester's: anyone else is told only that it is not theirs", () => {
    const drifted = active('R-EEEEEEE6', 'a', {
      access: {
        durationMs: 86_400_000,
        expiresAt: '2025-02-15T10:00:00.000Z',
        driftDetectedAt: '2025-01-15T09:00:00.000Z',
      },
    });
    expect(() => actions.mayExtend(OUTSIDER, drifted)).toThrow(
      expect.objectContaining({ code: 'extend.notRequester' }),
    );
    expect(() => actions.mayExtend(REQUESTER, drifted)).toThrow(expect.objectContaining({ code: 'extend.drifted' }));
  });

  test('the requester may revoke their own active access without any approver question', async () => {
    expect(await actions.revocable(acting(REQUESTER), [active('R-EEEEEEE1', 'b')])).toEqual([true]);
    expect(asked).toEqual([]);
  });

  test("an extension is revoked through its original, under the original's rule: its own rule's approvers gain nothing", async () => {
    // The original under rule a (APPROVER), its extension under rule b (OUTSIDER), which moved its end.
    const original = active('R-0000000A', 'a', { access: { extendedBy: ['R-0000000E'] } });
    const extension = active('R-0000000E', 'b', { extendsRequestId: original.id });
    const withGet = new AccessActions(
      { ...requests, get: async (id: string) => ({ [original.id]: original, [extension.id]: extension })[id] } as never,
      {} as never,
      {} as never,
    );
    expect(await withGet.revocable(acting(OUTSIDER), [extension])).toEqual([false]);
    await expect(withGet.mayRevoke(acting(OUTSIDER), extension)).rejects.toThrow(
      `Only the requester of ${original.id} or an approver of its rule (a) may revoke it`,
    );
    // Audited on the access it would have ended.
    expect(refusals).toEqual([`revoke.refused:revoke.notAllowed:${original.id}`]);
    expect(await withGet.revocationTargets(acting(APPROVER), [extension])).toEqual([original]);
    expect(await withGet.mayRevoke(acting(APPROVER), extension)).toBe(original);
    expect(await withGet.mayRevoke(acting(REQUESTER), extension)).toBe(original);
    // An extension that did not move its original's end (not in extendedBy) is its own access.
    const unmoved = active('R-0000000F', 'b', { extendsRequestId: original.id });
    expect(await withGet.mayRevoke(acting(OUTSIDER), unmoved)).toBe(unmoved);
  });
});

describe('AccessActions.mayExtend', () => {
  test('access whose revocation began cannot be extended (the Extend button goes, a typed extend is refused)', () => {
    const actions = new AccessActions({} as never, {} as never, {} as never);
    const granted = pendingRequest({
      state: 'succeeded',
      access: { durationMs: 3_600_000, expiresAt: '2025-01-15T10:00:00.000Z' },
    });
    expect(() => actions.mayExtend(REQUESTER, granted)).not.toThrow();
    const ending = { ...granted, access: { ...granted.access, revokingSince: '2025-01-15T09:30:00.000Z' } };
    expect(() => actions.mayExtend(REQUESTER, ending)).toThrow(/is being revoked, so there is nothing to extend/);
  });
});

describe('refusing what holds no access: the state in words and the step that fits it', () => {
  const refused = async (work: () => unknown): Promise<UserFacingError> => {
    try {
      await work();
    } catch (err) {
      return err as UserFacingError;
    }
    throw new Error('expected a refusal');
  };
  const requests = {
    recordRefusal: async () => undefined,
    ruleOf: () => undefined,
    isApproverOf: async (actor: Actor) => actor.objectId === APPROVER.objectId,
    approverAccountEnabled: async () => true,
  };
  const actions = new AccessActions(requests as never, {} as never, {} as never);
  const decided = { by: APPROVER, at: '2025-01-15T09:00:00.000Z', approved: true };
  const waiting = pendingRequest({ id: 'R-PPPPPPP1' });
  const running = pendingRequest({ id: 'R-PPPPPPP2', state: 'executing', decision: decided });
  const rejected = pendingRequest({ id: 'R-PPPPPPP3', state: 'rejected', decision: { ...decided, approved: false } });

  test('revoke: a waiting request is withdrawn (requester) or rejected (approver); one being granted waits for "Granted"', async () => {
    expect(await refused(() => actions.mayRevoke(acting(REQUESTER), waiting))).toMatchObject({
      code: 'revoke.notActive',
      message:
        'Request R-PPPPPPP1 has no access to revoke yet: it is waiting for approval. Withdraw it with "@acrbot cancel R-PPPPPPP1" instead; nothing was changed.',
    });
    expect((await refused(() => actions.mayRevoke(acting(APPROVER), waiting))).message).toContain(
      'Reject it on its approval card instead',
    );
    expect(await refused(() => actions.mayRevoke(acting(REQUESTER), running))).toMatchObject({
      code: 'revoke.notActive',
      message: `Request R-PPPPPPP2 has no access to revoke yet: it is approved by ${APPROVER.name}, running now. Wait until its card says "Granted", then revoke it; nothing was changed.`,
    });
    expect((await refused(() => actions.mayRevoke(acting(REQUESTER), rejected))).message).toBe(
      `Request R-PPPPPPP3 has no access to revoke: it is rejected by ${APPROVER.name}; nothing was changed.`,
    );
  });

  test('extend: a waiting request is waited for or withdrawn; one being granted waits; an ended one asks anew', async () => {
    expect(await refused(() => actions.mayExtend(REQUESTER, waiting))).toMatchObject({
      code: 'extend.notActive',
      message:
        'Request R-PPPPPPP1 is still waiting for approval, so there is no access to extend yet (its time counts from when it is granted). Wait until its card says "Granted", then ask again; or withdraw it with "@acrbot cancel R-PPPPPPP1" and ask for a longer --for.',
    });
    for (const state of ['approved', 'executing'] as const)
      expect(await refused(() => actions.mayExtend(REQUESTER, { ...running, state }))).toMatchObject({
        code: 'extend.notActive',
        message:
          'Request R-PPPPPPP2 is approved and its access is being set up, so there is nothing to extend yet. Wait until its card says "Granted", then ask again.',
      });
    expect((await refused(() => actions.mayExtend(REQUESTER, rejected))).message).toBe(
      `Request R-PPPPPPP3 has no active access to extend (it is rejected by ${APPROVER.name}); ask for a new one instead.`,
    );
    // Someone else is not given steps only the requester may take (cancel, extend once granted).
    expect((await refused(() => actions.mayExtend(OUTSIDER, waiting))).message).toBe(
      'Request R-PPPPPPP1 is still waiting for approval, so there is no access to extend yet; only its requester can withdraw or extend it. Nothing was requested.',
    );
    expect((await refused(() => actions.mayExtend(OUTSIDER, { ...running, state: 'executing' }))).message).toBe(
      'Request R-PPPPPPP2 is approved and its access is being set up, so there is nothing to extend yet; only its requester can extend it. Nothing was requested.',
    );
    // Said before the requester check: someone else is not told who decided another's request.
    expect((await refused(() => actions.mayExtend(OUTSIDER, rejected))).message).toBe(
      'Request R-PPPPPPP3 has no active access to extend (it is rejected); ask for a new one instead.',
    );
  });

  test('extend: access without an end says why in plain words', async () => {
    const active = { ...pendingRequest({ id: 'R-PPPPPPP4', state: 'succeeded' }) };
    expect(await refused(() => actions.mayExtend(REQUESTER, { ...active, access: { permanent: true } }))).toMatchObject(
      {
        code: 'extend.noExpiry',
        message: 'Request R-PPPPPPP4 has no expiry (it was granted as permanent), so there is nothing to extend.',
      },
    );
    expect((await refused(() => actions.mayExtend(REQUESTER, active))).message).toBe(
      'Request R-PPPPPPP4 has no expiry (it was granted before acrbot gave access an end), so there is nothing to extend.',
    );
  });
});

describe('AccessActions.createExtension, twice at once on one instance', () => {
  test('the second is refused (extend.concurrent) while the first is created; after it, the open one is named', async () => {
    const original = pendingRequest({
      id: 'R-ORIGINAL1',
      state: 'succeeded',
      access: { durationMs: 86_400_000, expiresAt: '2026-12-01T10:00:00.000Z' },
    });
    const made: AccessRequest[] = [];
    const refusals: string[] = [];
    let finishCreate!: () => void;
    const created = new Promise<void>((resolve) => (finishCreate = resolve));
    const requests = {
      get: async () => original,
      accessTerm: () => ({ durationMs: 7 * 86_400_000 }),
      openExtensionsOf: async () => made,
      recordRefusal: async (e: { action: string; outcome: string }) => void refusals.push(`${e.action}:${e.outcome}`),
      // Own tenant, not paused.
      assertOwnTenant: async () => undefined,
      assertOpen: async () => undefined,
      async create() {
        // The first creation is still on its way to the store when the second click arrives.
        await created;
        const extension = pendingRequest({ id: 'R-EXTENSN1', extendsRequestId: original.id });
        made.push(extension);
        return extension;
      },
    };
    const leases = new MemoryLeaseStore(() => new Date());
    const log = { error: jest.fn() };
    const actions = new AccessActions(requests as never, {} as never, {} as never, undefined, {
      leases,
      owner: 'this-instance',
      ttlMs: 60_000,
      log: log as never,
    });
    const input = {
      actor: REQUESTER,
      tenantId: original.tenantId,
      originalId: original.id,
      duration: '7d',
      reason: 'release slipped a week',
      origin: original.origin,
    };
    const first = actions.createExtension(input);
    const second = await actions.createExtension(input).catch((err: unknown) => err);
    expect(second).toBeInstanceOf(UserFacingError);
    expect((second as UserFacingError).code).toBe('extend.concurrent');
    finishCreate();
    expect((await first).id).toBe('R-EXTENSN1');
    const third = await actions.createExtension(input).catch((err: unknown) => err);
    expect((third as UserFacingError).code).toBe('extend.alreadyPending');
    expect((third as UserFacingError).message).toContain('cancel R-EXTENSN1');
    expect(made).toHaveLength(1);
    expect(log.error).not.toHaveBeenCalled();
    // Both refusals are in the audit trail, with their codes (G11).
    expect(refusals).toEqual(['extend.refused:extend.concurrent', 'extend.refused:extend.alreadyPending']);
  });
});

describe('AccessActions.createExtension across the tenant boundary', () => {
  test("another tenant's request is not found: nothing read beyond it, nothing created, nothing audited", async () => {
    const original = pendingRequest({
      id: 'R-ORIGINAL1',
      state: 'succeeded',
      access: { durationMs: 86_400_000, expiresAt: '2026-12-01T10:00:00.000Z' },
    });
    const calls: string[] = [];
    const requests = {
      get: async () => original,
      accessTerm: () => void calls.push('accessTerm'),
      openExtensionsOf: async () => void calls.push('openExtensionsOf'),
      recordRefusal: async () => void calls.push('recordRefusal'),
      create: async () => void calls.push('create'),
    };
    const actions = new AccessActions(requests as never, {} as never, {} as never);
    // The requester's own object id, signed in through another tenant: the id alone must not do.
    const refused = await actions
      .createExtension({
        actor: REQUESTER,
        tenantId: 'another-tenant',
        originalId: original.id,
        duration: '7d',
        reason: 'release slipped a week',
        origin: original.origin,
      })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(UserFacingError);
    expect((refused as UserFacingError).code).toBe('request.notFound');
    expect((refused as UserFacingError).message).toContain('There is no request R-ORIGINAL1');
    expect(calls).toEqual([]);
  });
});

describe('AccessActions.createExtension of a secret', () => {
  test('the rotated credential lives as long as the rule that fits the tags now grants the term', async () => {
    const original = pendingRequest({
      id: 'R-ORIGINAL1',
      state: 'succeeded',
      plan: secretPlan(),
      access: { durationMs: 86_400_000, expiresAt: '2026-12-01T10:00:00.000Z' },
    });
    const asked: Array<{ facts: RequestFacts; durationMs?: number; defaultTerm: boolean }> = [];
    const rotated: Array<{ lifetimeMs: number | undefined; plan: SecretPlan }> = [];
    const requests = {
      get: async () => original,
      accessTerm: () => ({ durationMs: 7 * 86_400_000 }),
      credentialLifetimeUnderPolicy: (facts: RequestFacts, term: { durationMs?: number }, defaultTerm: boolean) => {
        asked.push({ facts, durationMs: term.durationMs, defaultTerm });
        return 111_000; // what the rule's cut term would need
      },
      openExtensionsOf: async () => [],
      create: async (input: { plan: SecretPlan }) => pendingRequest({ id: 'R-EXTENSN1', plan: input.plan }),
      // Own tenant, not paused.
      assertOwnTenant: async () => undefined,
      assertOpen: async () => undefined,
    };
    const lifecycle = {
      rotationPlan: (r: AccessRequest, lifetimeMs: number | undefined) => {
        rotated.push({ lifetimeMs, plan: r.plan as SecretPlan });
        return { ...(r.plan as SecretPlan), operations: ['rotate'] };
      },
    };
    // Azure tags the registry prod now; the plan was made when it had none.
    const resources = {
      getCluster: async () => ({ id: original.plan.cluster.id, name: original.plan.cluster.name, tags: {} }),
      getRegistry: async () => ({
        id: original.plan.registry.id,
        name: original.plan.registry.name,
        tags: { env: 'prod' },
      }),
    };
    const actions = new AccessActions(
      requests as never,
      lifecycle as never,
      {} as never,
      undefined,
      undefined,
      resources as never,
    );
    await actions.createExtension({
      actor: REQUESTER,
      tenantId: original.tenantId,
      originalId: original.id,
      duration: '7d',
      reason: 'release slipped a week',
      origin: original.origin,
    });
    expect(asked).toEqual([
      {
        facts: expect.objectContaining({ flow: 'secret', registryTags: { env: 'prod' } }),
        durationMs: 7 * 86_400_000,
        defaultTerm: false,
      },
    ]);
    expect(rotated).toEqual([{ lifetimeMs: 111_000, plan: expect.objectContaining({ kind: 'secret' }) }]);
    expect(rotated[0].plan.registry.tags).toEqual({ env: 'prod' });
  });
});
