/**
 * G15/G17 end to end: a revocation cut short between its DELETE and the entry saying what it
 * deleted (here the audit append failing once; a crash there leaves the same trail). Its keyed
 * `deleting` mark, written before the DELETE, tells the retry that acrbot deleted it: the retry
 * deletes nothing made since under the name, and the trail says "deleted by an earlier attempt",
 * not "absent" (for a grant: not "removed outside acrbot"). A DELETE that fails voids the mark.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import { users } from '../helpers/harness';
import {
  advance,
  assignmentsOn,
  contosoId,
  grant,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  now,
  secretServicePrincipal,
  start,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

/** The next append of `action` with `outcome` for `requestId` fails, as a process killed right before it. */
function cutOnce(requestId: string, action: string, outcome: string): void {
  const audit = h.app.stores.audit;
  const append = audit.append.bind(audit);
  let cut = true;
  audit.append = async (event: AuditEvent) => {
    if (cut && event.requestId === requestId && event.action === action && event.outcome === outcome) {
      cut = false;
      throw new Error('killed before the entry was written');
    }
    return append(event);
  };
}

/**
 * The `deleting` mark of `requestId`'s `action` is stored, then the run stops before its DELETE
 * is sent, as a process killed between the two.
 */
function stopAfterMark(requestId: string, action: string): void {
  const audit = h.app.stores.audit;
  const append = audit.append.bind(audit);
  let stop = true;
  audit.append = async (event: AuditEvent) => {
    const stored = await append(event);
    if (stop && event.requestId === requestId && event.action === action && event.outcome === 'deleting') {
      stop = false;
      throw new Error('killed after the mark, before the DELETE');
    }
    return stored;
  };
}

/** `action:outcome: detail` of the request's entries of `action`. */
async function steps(id: string, action: string): Promise<string[]> {
  return (await h.app.audit.forRequest(id))
    .filter((e) => e.action === action)
    .map((e) => `${e.outcome}: ${e.detail ?? ''}`);
}

describe('a revocation cut short after its DELETE', () => {
  useLifecycleHooks();

  test('a token: the retry deletes nothing made since under the name, and records it deleted by the earlier attempt', async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    const tokenName = `acrbot-${id.toLowerCase()}`;
    expect(tokens()).toEqual([tokenName]);
    cutOnce(id, 'access.revoke.credential', 'deleted');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    // Deleted, but the entry saying so was never written: the revocation is retried.
    expect(tokens()).toEqual([]);
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    // Someone makes a token under the same name meanwhile.
    h.app.sandbox!.arm.state.getRegistry(contosoId)!.tokens.set(tokenName, {
      id: `${contosoId}/tokens/${tokenName}`,
      name: tokenName,
      scopeMapId: `${contosoId}/scopeMaps/_repositories_pull`,
      status: 'enabled' as const,
      // Made after the earlier attempt's mark (dated by the test clock, as the mark is).
      creationDate: new Date(now.getTime() + 1000).toISOString(),
      passwords: [],
    });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(tokens()).toEqual([tokenName]);
    const credential = await steps(id, 'access.revoke.credential');
    expect(credential).toEqual([
      expect.stringMatching(/^deleting: /),
      expect.stringMatching(
        /^alreadyDeleted: deleted by an earlier attempt of this revocation whose record was cut short .*nothing deleted again; a token under its name now .* left in place for an operator$/,
      ),
    ]);
  });

  test('a token whose DELETE was refused: the mark stands for nothing deleted, and the retry deletes it', async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    const tokenName = `acrbot-${id.toLowerCase()}`;
    h.app.sandbox!.arm.faults.add({ operation: 'tokens.delete', status: 403, count: 1 });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(tokens()).toEqual([tokenName]);
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(h.app.sandbox!.arm.faults.pending()).toEqual([]);
    expect(tokens()).toEqual([]);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect((await steps(id, 'access.revoke.credential')).map((s) => s.slice(0, s.indexOf(':')))).toEqual([
      'deleting',
      'failed',
      'deleting',
      'deleted',
    ]);
  });

  test("a token whose DELETE failed with a 5xx (it may have gone through): the mark stands, and the retry deletes acrbot's token still there", async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    const tokenName = `acrbot-${id.toLowerCase()}`;
    // Azure dated the token when acrbot made it (the emulator by the test clock), as the outcome recorded.
    expect(h.app.sandbox!.arm.state.getRegistry(contosoId)!.tokens.get(tokenName)!.creationDate).toBe(
      now.toISOString(),
    );
    // Failed on the DELETE and on each of the SDK's retries.
    h.app.sandbox!.arm.faults.add({ operation: 'tokens.delete', status: 500, count: 4 });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(tokens()).toEqual([tokenName]);
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(h.app.sandbox!.arm.faults.pending()).toEqual([]);
    expect(tokens()).toEqual([]);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect((await steps(id, 'access.revoke.credential')).map((s) => s.slice(0, s.indexOf(':')))).toEqual([
      'deleting',
      'deleted',
    ]);
  });

  test("a grant's DELETE applied but answered 500: the retry records it deleted by the earlier attempt, not removed outside acrbot", async () => {
    await start();
    const r = await grant(users.requester, 'aks-dev contosoacr --for 2m pull for payments-api');
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.delete', status: 500, afterApply: true, count: 4 });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect((await h.app.store.get(r.id))!.state).toBe('succeeded');
    advance(5 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(r.id))!.state).toBe('revoked');
    expect((await steps(r.id, 'access.revoke.roleAssignment')).map((s) => s.slice(0, s.indexOf(':')))).toEqual([
      'deleting',
      'alreadyDeleted',
    ]);
    const [ended] = await steps(r.id, 'access.expired');
    expect(ended).toBeDefined();
    expect(ended).not.toMatch(/removed outside acrbot/);
  });

  test('a grant: the retry records the assignment deleted by the earlier attempt, and the end does not call it removed outside acrbot', async () => {
    await start();
    const r = await grant(users.requester, 'aks-dev contosoacr --for 2m pull for payments-api');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    cutOnce(r.id, 'access.revoke.roleAssignment', 'deleted');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect((await h.app.store.get(r.id))!.state).toBe('succeeded');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(r.id))!.state).toBe('revoked');
    expect(await steps(r.id, 'access.revoke.roleAssignment')).toEqual([
      expect.stringMatching(/^deleting: /),
      expect.stringMatching(
        /^alreadyDeleted: deleted by an earlier attempt of this revocation whose record was cut short/,
      ),
    ]);
    const [ended] = await steps(r.id, 'access.expired');
    expect(ended).toBeDefined();
    expect(ended).not.toMatch(/removed outside acrbot/);
  });
});

describe('a revocation stopped after its mark, before its DELETE', () => {
  useLifecycleHooks();

  test("a token Azure dates before the mark is acrbot's, still live: the retry deletes it", async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    const tokenName = `acrbot-${id.toLowerCase()}`;
    // Azure dated the token when acrbot made it (the emulator by the test clock), as the outcome recorded.
    expect(h.app.sandbox!.arm.state.getRegistry(contosoId)!.tokens.get(tokenName)!.creationDate).toBe(
      now.toISOString(),
    );
    stopAfterMark(id, 'access.revoke.credential');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(tokens()).toEqual([tokenName]);
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(tokens()).toEqual([]);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect((await steps(id, 'access.revoke.credential')).map((s) => s.slice(0, s.indexOf(':')))).toEqual([
      'deleting',
      'deleted',
    ]);
  });

  test('a token Azure does not date (a request recorded before the date was kept): left for an operator and said undated, never called made since', async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    const tokenName = `acrbot-${id.toLowerCase()}`;
    // Recorded by a release before the token's date was kept: the mark alone tells (with the date,
    // an undated token is not acrbot's before any mark: revoke-token-made-again.test.ts).
    const stored = (await h.app.store.get(id))!;
    const { creationDate, ...ref } = JSON.parse(stored.outcome!.credentialRef!) as Record<string, unknown>;
    expect(creationDate).toBeDefined();
    await h.app.store.update({
      ...stored,
      version: stored.version + 1,
      outcome: { ...stored.outcome!, credentialRef: JSON.stringify(ref) },
    });
    // The API leaves the date optional.
    (h.app.sandbox!.arm.state.getRegistry(contosoId)!.tokens.get(tokenName) as { creationDate?: string }).creationDate =
      undefined;
    stopAfterMark(id, 'access.revoke.credential');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(tokens()).toEqual([tokenName]);
    const [, last] = await steps(id, 'access.revoke.credential');
    expect(last).toMatch(/^alreadyDeleted: .*\(acrbot-[^)]*\), undated, is not one acrbot's records vouch for/);
  });

  test("a --kind sp credential: the retry deletes the application by acrbot's recorded id", async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --kind sp --namespace payments --for 2m pull for payments-api',
    );
    const { appId, directory } = secretServicePrincipal(k8s);
    const app = directory.getApplicationByAppId(appId)!;
    stopAfterMark(id, 'access.revoke.credential');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(directory.getApplication(app.id)).toBeDefined();
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(directory.getApplication(app.id)).toBeUndefined();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect((await steps(id, 'access.revoke.credential')).map((s) => s.slice(0, s.indexOf(':')))).toEqual([
      'deleting',
      'deleted',
    ]);
  });

  test('a grant: the retry finds the assignment and deletes it', async () => {
    await start();
    const r = await grant(users.requester, 'aks-dev contosoacr --for 2m pull for payments-api');
    stopAfterMark(r.id, 'access.revoke.roleAssignment');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect((await h.app.store.get(r.id))!.state).toBe('revoked');
    expect((await steps(r.id, 'access.revoke.roleAssignment')).map((s) => s.slice(0, s.indexOf(':')))).toEqual([
      'deleting',
      'deleted',
    ]);
  });
});

describe('a revocation whose DELETE failed', () => {
  useLifecycleHooks();

  test('a grant refused (403), then removed by hand as the advice says: the retry records it absent, never deleted by acrbot', async () => {
    await start();
    const r = await grant(users.requester, 'aks-dev contosoacr --for 2m pull for payments-api');
    h.app.sandbox!.arm.state.denyAction(contosoId, 'Microsoft.Authorization/roleAssignments/delete');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    // The platform team deletes it by hand.
    const [left] = assignmentsOn(contosoId);
    expect(h.app.sandbox!.arm.state.roleAssignments.delete(left.name)).toBe(true);
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(r.id))!.state).toBe('revoked');
    const roleSteps = await steps(r.id, 'access.revoke.roleAssignment');
    expect(roleSteps.map((s) => s.slice(0, s.indexOf(':')))).toEqual(['deleting', 'failed', 'absent']);
    expect(roleSteps.join('\n')).not.toMatch(/deleted by an earlier attempt/);
  });

  test("a token's scope map refused after the token was deleted: the retry deletes the scope map", async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --repositories payments/api --for 2m pull for payments-api',
    );
    const registry = h.app.sandbox!.arm.state.getRegistry(contosoId)!;
    const ownMaps = () =>
      [...registry.scopeMaps.values()].filter((m) => m.name.startsWith('acrbot-')).map((m) => m.name);
    expect(ownMaps()).toHaveLength(1);
    h.app.sandbox!.arm.faults.add({ operation: 'scopeMaps.delete', status: 503, count: 4 });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(tokens()).toEqual([]);
    expect(ownMaps()).toHaveLength(1);
    advance(5 * MINUTE);
    await h.app.scheduler.runDue();
    expect(h.app.sandbox!.arm.faults.pending()).toEqual([]);
    expect(ownMaps()).toEqual([]);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
  });
});
