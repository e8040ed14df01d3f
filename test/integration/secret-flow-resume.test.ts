/**
 * A secret run resumed after its earlier attempt stopped (G13, G14, G15), against the emulated
 * ARM, Graph and Kubernetes API server: a resumed run that fails before its own credential step
 * deletes the credential the earlier attempt recorded; a run that waits on a cluster that does not
 * answer says so once and is bounded; an imagePullSecrets entry the earlier attempt added is
 * recorded as acrbot's only when its own record says it was to add it.
 */
import { LeaseLostError } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { CLUSTER_WAIT_LIMIT_MS } from '../../src/flows/run-resumption';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { pullSecretApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import { within } from '../helpers/within';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const aksProdId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);

describe('a resumed secret run', () => {
  let h: Harness;
  let now = new Date();
  const clock = { now: () => now };
  beforeEach(async () => {
    now = new Date();
    h = await startHarness({}, { clock });
  });
  afterEach(async () => h.stop());

  const k8s = () => h.app.sandbox!.kubernetes['aks-dev'];
  const tokenNames = () => h.app.sandbox!.arm.state.listTokens(contosoId).map((t: { name: string }) => t.name);
  const ourApplications = () =>
    [...h.app.sandbox!.directory.applications.values()].filter((a: { displayName: string }) =>
      a.displayName.startsWith('acrbot-pull'),
    );
  const serviceAccountEntries = () =>
    (
      k8s().getObject('serviceaccounts', 'payments', 'default') as unknown as {
        imagePullSecrets?: { name: string }[];
      }
    ).imagePullSecrets ?? [];

  /**
   * Waits for the run an approval started to stop, then checks that it stopped at `what`. The
   * approve click schedules the run before it is answered, so the executor's drain is the event
   * that ends the wait; a run that stops elsewhere fails here, naming what it never reached.
   */
  async function stoppedAt(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
    await within(h.app.services.executor.drain(), `the run to stop at ${what}`, 15_000);
    if (!(await condition())) throw new Error(`the run stopped without reaching ${what}`);
  }

  /**
   * Approves `id` and lets its first attempt stop at the store write that `refuse` picks, with
   * `error` (a LeaseLostError: taken over there, so the request stays executing; a plain error on
   * the written secret's record: the run is interrupted).
   */
  async function approveAndStopAt(
    id: string,
    refuse: (next: AccessRequest) => boolean,
    error: () => Error,
  ): Promise<void> {
    const store = h.app.store;
    const update = store.update.bind(store);
    let refused = 0;
    store.update = async (next) => {
      if (!refused && next.id === id && refuse(next)) {
        refused++;
        throw error();
      }
      return update(next);
    };
    await h.click(users.approver, 'approve', { requestId: id });
    await stoppedAt(() => refused === 1, 'the refused store write');
    expect((await h.app.store.get(id))?.state).toBe('executing');
  }

  const writeStarted = (next: AccessRequest) => !!next.created?.some((o) => o.kind === 'pullSecretWriteStarted');
  const secretRecorded = (next: AccessRequest) => !!next.created?.some((o) => o.kind === 'pullSecret');

  /** Someone else's secret, under the name the request writes. */
  function plantForeignSecret(name = 'acr-auth'): void {
    k8s().seedObject('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'payments', labels: { team: 'theirs' } },
      type: 'Opaque',
      data: { a: 'Yg==' },
    });
  }

  async function resume(id: string): Promise<AccessRequest> {
    await h.app.services.executor.resumeInterrupted();
    return h.settle(id);
  }

  test('item 1: token kind, refused because someone else made a secret of that name meanwhile → the token its earlier attempt created is deleted, and said so', async () => {
    const request = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments resumed and refused',
    );
    // Taken over after the token was created, before the write began.
    await approveAndStopAt(request.id, writeStarted, () => new LeaseLostError(`exec:${request.id}`));
    expect(tokenNames()).toEqual([`acrbot-${request.id.toLowerCase()}`]);
    plantForeignSecret();

    const done = await resume(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('kubernetes.foreignSecret');
    expect(done.outcome?.cleanup).toBe('deleted');
    expect(done.outcome?.error).toMatch(/The credential an earlier attempt of this request had created was deleted\./);
    expect(done.outcome?.error).not.toMatch(/may therefore hold/);
    expect(tokenNames()).toEqual([]);
    const cleanups = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'credential.cleanup');
    expect(cleanups).toEqual([
      // Named by its ARM id, with the DELETE's request id.
      expect.objectContaining({
        outcome: 'deleted',
        targetIds: [`${contosoId}/tokens/acrbot-${request.id.toLowerCase()}`],
        correlationIds: [expect.any(String)],
      }),
    ]);
    // The foreign secret is untouched.
    expect(k8s().getObject('secrets', 'payments', 'acr-auth')).toMatchObject({ type: 'Opaque' });
  });

  test('item 1: sp kind, refused because the namespace is gone meanwhile → the application and role assignment its earlier attempt made are deleted', async () => {
    const request = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --kind sp --namespace payments resumed and refused',
    );
    await approveAndStopAt(request.id, writeStarted, () => new LeaseLostError(`exec:${request.id}`));
    expect(ourApplications()).toHaveLength(1);
    expect(h.app.sandbox!.arm.state.listRoleAssignments(contosoId)).toHaveLength(1);
    k8s().deleteObject('namespaces', '', 'payments');

    const done = await resume(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.error).toMatch(/Namespace payments does not exist/);
    expect(done.outcome?.cleanup).toBe('deleted');
    expect(ourApplications()).toHaveLength(0);
    expect(h.app.sandbox!.arm.state.listRoleAssignments(contosoId)).toHaveLength(0);
  });

  test('item 1: the earlier attempt wrote the secret, and the cluster enabled local accounts since → the token is deleted and the outcome says the secret may hold it', async () => {
    await h.stop();
    h = await startHarness({ ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS: 'false' }, { clock });
    // aks-prod is Entra-only: acrbot refuses it once it enables local accounts and drops Entra ID.
    const request = await h.requestSecret(
      users.requester,
      'aks-prod contosoacr --namespace payments written then refused',
    );
    // The write landed; recording it failed: the run is interrupted, the secret holds the token.
    await approveAndStopAt(request.id, secretRecorded, () => new Error('store unavailable'));
    expect(tokenNames()).toEqual([`acrbot-${request.id.toLowerCase()}`]);
    expect(h.app.sandbox!.kubernetes['aks-prod'].getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
    h.app.sandbox!.arm.state.updateCluster(aksProdId, { disableLocalAccounts: false, aad: false });

    const done = await resume(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('cluster.localAccounts');
    expect(done.outcome?.cleanup).toBe('deleted');
    // Something was created (and is deleted now): the refusal does not say otherwise.
    expect(done.outcome?.error).not.toMatch(/nothing was created/);
    expect(done.outcome?.error).toMatch(
      /That attempt began writing secret payments\/acr-auth in cluster aks-prod, which may therefore hold the credential and stop working without it/,
    );
    expect(tokenNames()).toEqual([]);
  });

  test('item 2: a cluster that stops answering after the write began: told once on every card with the reference, resumes add no audit entry, message or warning, and after a day the run gives up and deletes the token, saying the secret may hold it', async () => {
    const request = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments cluster goes away');
    // The write gets no answer, and from then on the cluster answers nothing.
    k8s().faults.inject({ method: 'PUT', resource: 'secrets', drop: true });
    k8s().faults.inject({ method: 'POST', resource: 'secrets', drop: true });
    await h.click(users.approver, 'approve', { requestId: request.id });
    await stoppedAt(
      async () =>
        (await h.app.audit.forRequest(request.id)).some(
          (e) => e.action === 'kubernetes.write.secret' && e.outcome === 'unconfirmed',
        ),
      'the unconfirmed write',
    );
    k8s().faults.inject({ drop: true, times: Infinity });
    // One log line for the interruption, not one where it happened and another where it was
    // caught: a warning (the run is resumed), with why, and the cluster's failure as its cause.
    const aboutTheWrite = h.logs
      .entries()
      .filter((e) => e.correlationId === `exec-${request.id}` && JSON.stringify(e).includes('No Kubernetes answer'));
    expect(aboutTheWrite).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'execution interrupted; it is resumed later',
        err: expect.objectContaining({
          type: 'RunInterrupted',
          message: expect.stringMatching(
            /could not tell whether the secret holds the new credential; the credential is kept/,
          ),
          cause: expect.objectContaining({ type: 'UserFacingError' }),
        }),
      }),
    ]);
    const waiting = (await h.app.store.get(request.id))!;
    expect(waiting.state).toBe('executing');
    expect(waiting.waiting).toEqual({
      since: now.toISOString(),
      reason: expect.stringMatching(/gave no clear answer to the write of secret payments\/acr-auth/),
      reference: `exec-${request.id}`,
    });
    // Every copy of the request card says so.
    const told = () =>
      h.connector.calls.filter(
        (c) =>
          c.op === 'update' &&
          cardText(c.activity).includes(`Waiting since`) &&
          cardText(c.activity).includes(request.id),
      );
    await h.connector.waitFor((c) => told().includes(c), 5000, 'the waiting card');
    expect(cardText(told()[0].activity)).toContain(`Reference for the platform team: exec-${request.id}`);

    // Everything the first attempt sent has gone (the "approved" news waits a moment first).
    const outbox = h.app.services.messenger.outbox;
    await outbox.idle();
    const entries = (await h.app.audit.forRequest(request.id)).length;
    const calls = h.connector.calls.length;
    const loud = () => h.logs.entries().filter((e) => (e.level as number) >= 40).length;
    const loudBefore = loud();
    for (let i = 0; i < 3; i++) {
      await h.app.services.executor.resumeInterrupted();
      await h.app.services.executor.drain();
    }
    // Anything the resumes queued for the cards or the requester has gone too.
    await outbox.idle();
    const still = (await h.app.store.get(request.id))!;
    expect(still.state).toBe('executing');
    expect(still.waiting).toEqual(waiting.waiting);
    expect((await h.app.audit.forRequest(request.id)).length).toBe(entries);
    expect(h.connector.calls.length).toBe(calls);
    expect(loud()).toBe(loudBefore);
    expect(tokenNames()).toEqual([`acrbot-${request.id.toLowerCase()}`]);

    // A moment before the limit it still waits; at the limit it gives up.
    now = new Date(Date.parse(waiting.waiting!.since) + CLUSTER_WAIT_LIMIT_MS - 1);
    await h.app.services.executor.resumeInterrupted();
    await h.app.services.executor.drain();
    expect((await h.app.store.get(request.id))?.state).toBe('executing');
    now = new Date(Date.parse(waiting.waiting!.since) + CLUSTER_WAIT_LIMIT_MS);
    const done = await resume(request.id);
    expect(done.state).toBe('failed');
    expect(done.waiting).toBeUndefined();
    expect(done.outcome?.errorCode).toBe('kubernetes.gaveUp');
    expect(done.outcome?.cleanup).toBe('deleted');
    expect(done.outcome?.error).toMatch(/gave up after 24 hours/);
    expect(done.outcome?.error).toMatch(/may therefore hold the credential and stop working without it/);
    expect(tokenNames()).toEqual([]);
    await h.connector.waitFor((c) => /The request failed/.test(cardText(c.activity)), 5000, 'the failure card');
  });

  test('item 2: the cluster answers again before the limit → the resumed run finishes and the waiting mark goes', async () => {
    const request = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments cluster comes back',
    );
    k8s().faults.inject({ method: 'POST', resource: 'secrets', drop: true });
    await h.click(users.approver, 'approve', { requestId: request.id });
    await stoppedAt(async () => !!(await h.app.store.get(request.id))?.waiting, 'the waiting mark');
    const done = await resume(request.id);
    expect(done.state).toBe('succeeded');
    expect(done.waiting).toBeUndefined();
  });

  /**
   * A cluster that answers reads but never confirms a secret write (every PUT and POST gets no
   * answer): approved, it stops at the write; three resumes stop there again. Answers the request
   * and the number of 'unconfirmed' audit entries and warnings the resumes added.
   */
  async function writesNeverConfirmed(
    text: string,
  ): Promise<{ id: string; since: string; added: number; louder: number }> {
    const request = await h.requestSecret(users.requester, text);
    k8s().faults.inject({ method: 'PUT', resource: 'secrets', drop: true, times: Infinity });
    k8s().faults.inject({ method: 'POST', resource: 'secrets', drop: true, times: Infinity });
    const unconfirmed = async () =>
      (await h.app.audit.forRequest(request.id)).filter(
        (e) => e.action === 'kubernetes.write.secret' && e.outcome === 'unconfirmed',
      ).length;
    await h.click(users.approver, 'approve', { requestId: request.id });
    await stoppedAt(async () => !!(await h.app.store.get(request.id))?.waiting, 'the waiting mark');
    expect(await unconfirmed()).toBe(1);
    const since = (await h.app.store.get(request.id))!.waiting!.since;
    const loud = () => h.logs.entries().filter((e) => (e.level as number) >= 40).length;
    const loudBefore = loud();
    for (let i = 0; i < 3; i++) {
      await h.app.services.executor.resumeInterrupted();
      await h.app.services.executor.drain();
    }
    const still = (await h.app.store.get(request.id))!;
    expect(still.state).toBe('executing');
    expect(still.waiting?.since).toBe(since);
    return { id: request.id, since, added: (await unconfirmed()) - 1, louder: loud() - loudBefore };
  }

  test('item 4: a cluster that answers reads but never confirms the write: resumes add no "unconfirmed" entry or warning, and after a day the run gives up and deletes the token, saying the secret may hold it', async () => {
    const { id, since, added, louder } = await writesNeverConfirmed(
      'aks-dev contosoacr --namespace payments write never confirmed',
    );
    expect(added).toBe(0);
    expect(louder).toBe(0);
    expect(tokenNames()).toEqual([`acrbot-${id.toLowerCase()}`]);

    now = new Date(Date.parse(since) + CLUSTER_WAIT_LIMIT_MS - 1);
    await h.app.services.executor.resumeInterrupted();
    await h.app.services.executor.drain();
    expect((await h.app.store.get(id))?.state).toBe('executing');
    now = new Date(Date.parse(since) + CLUSTER_WAIT_LIMIT_MS);
    const done = await resume(id);
    expect(done.state).toBe('failed');
    expect(done.waiting).toBeUndefined();
    expect(done.outcome?.errorCode).toBe('kubernetes.gaveUp');
    expect(done.outcome?.cleanup).toBe('deleted');
    expect(done.outcome?.error).toMatch(
      /could not confirm writing secret payments\/acr-auth .* gave up after 24 hours/,
    );
    expect(done.outcome?.error).toMatch(/may therefore hold the credential and stop working without it/);
    expect(tokenNames()).toEqual([]);
  });

  test('item 4: sp kind, the write never confirmed → after a day the run gives up and deletes the application and its role assignment', async () => {
    const { id, since, added } = await writesNeverConfirmed(
      'aks-dev contosoacr --kind sp --namespace payments write never confirmed',
    );
    expect(added).toBe(0);
    expect(ourApplications()).toHaveLength(1);
    now = new Date(Date.parse(since) + CLUSTER_WAIT_LIMIT_MS);
    const done = await resume(id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('kubernetes.gaveUp');
    expect(done.outcome?.cleanup).toBe('deleted');
    expect(ourApplications()).toHaveLength(0);
    expect(h.app.sandbox!.arm.state.listRoleAssignments(contosoId)).toHaveLength(0);
  });

  test('item 4: sp kind, the write confirmed on a later resume → the passwords earlier attempts added are removed, the one in the secret stays', async () => {
    const { id } = await writesNeverConfirmed('aks-dev contosoacr --kind sp --namespace payments confirmed later');
    const [app] = ourApplications() as { passwords: { keyId: string }[] }[];
    // The first attempt and three resumes each added a password nothing holds.
    expect(app.passwords).toHaveLength(4);
    k8s().faults.clear();

    const done = await resume(id);
    expect(done.state).toBe('succeeded');
    expect(app.passwords).toHaveLength(1);
    const secret = k8s().getObject('secrets', 'payments', 'acr-auth') as unknown as { data: Record<string, string> };
    const auths = (
      JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString()) as {
        auths: Record<string, { username: string; password: string }>;
      }
    ).auths['contosoacr.azurecr.io'];
    expect(h.app.sandbox!.directory.verifyApplicationSecret(auths.username, auths.password)).toBe(true);
    const removals = (await h.app.audit.forRequest(id)).filter((e) => e.action === 'graph.write.removePassword');
    expect(removals.map((e) => e.outcome)).toEqual(['removed', 'removed', 'removed', 'removed']);
    // Each carries Graph's request id of its removal, for Entra's audit log.
    const sent = h.app.sandbox!.graph.requests.filter((r) => r.operation === 'applications.removePassword');
    expect(sent).toHaveLength(4);
    expect(removals.map((e) => e.correlationIds)).toEqual(sent.map((r) => [r.requestId]));
    expect(removals.map((e) => e.detail)).toEqual(
      expect.arrayContaining([expect.stringMatching(/added by an earlier attempt of this request$/)]),
    );
    // Nothing secret in the entries: key ids only.
    expect(JSON.stringify(removals)).not.toContain(auths.password);
  });

  test('item 4: sp kind, removing an earlier password fails → audited and logged, the run still succeeds', async () => {
    const { id } = await writesNeverConfirmed('aks-dev contosoacr --kind sp --namespace payments removal fails');
    k8s().faults.clear();
    h.app.sandbox!.graph.faults.add({ operation: 'applications.removePassword', status: 503, count: 1 });

    const done = await resume(id);
    expect(done.state).toBe('succeeded');
    const removals = (await h.app.audit.forRequest(id)).filter((e) => e.action === 'graph.write.removePassword');
    expect(removals.map((e) => e.outcome).sort()).toEqual(['failed', 'removed', 'removed', 'removed']);
    expect(removals.find((e) => e.outcome === 'failed')?.detail).toMatch(/it lapses at the credential’s end$/);
    expect(h.logs.entries().some((e) => e.msg === 'removing a password an earlier attempt added failed')).toBe(true);
    const [app] = ourApplications() as { passwords: unknown[] }[];
    expect(app.passwords).toHaveLength(2);
  });

  test('item 3: the earlier attempt added the service-account entry and the resumed run finds it → recorded as acrbot’s, and the revocation removes it', async () => {
    const request = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --service-account default resumed with an entry',
    );
    await approveAndStopAt(request.id, secretRecorded, () => new Error('store unavailable'));
    expect(serviceAccountEntries()).toEqual([{ name: 'acr-auth' }]);

    const done = await resume(request.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.secret).toMatchObject({ serviceAccountPatched: true, serviceAccounts: ['default'] });
    expect(done.outcome?.summary).toContain('Added to service account default.');
    await h.app.services.lifecycle.flow.revokeSoon(
      done,
      { objectId: users.approver.objectId, name: 'Alex Approver' },
      'done',
    );
    // revokeSoon ran the revocation job before it resolved.
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect(k8s().getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(serviceAccountEntries()).toEqual([]);
  });

  test('item 3, control: the entry was there before the request (someone else’s) → not recorded as acrbot’s after the resume, and it stays', async () => {
    const account = k8s().getObject('serviceaccounts', 'payments', 'default')!;
    k8s().seedObject('serviceaccounts', { ...account, imagePullSecrets: [{ name: 'acr-auth' }] } as typeof account);
    const request = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --service-account default resumed with their entry',
    );
    await approveAndStopAt(request.id, secretRecorded, () => new Error('store unavailable'));
    const done = await resume(request.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.secret).toMatchObject({ serviceAccountPatched: false, serviceAccounts: [] });
    await h.app.services.lifecycle.flow.revokeSoon(
      done,
      { objectId: users.approver.objectId, name: 'Alex Approver' },
      'done',
    );
    // revokeSoon ran the revocation job before it resolved.
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect(serviceAccountEntries()).toEqual([{ name: 'acr-auth' }]);
  });

  test('item 5: a resumed extension refused because its original is being revoked → the token its earlier attempt created is deleted, and said so', async () => {
    const original = await pullSecretApproved(h, 'aks-dev contosoacr --namespace payments --for 2h to extend');
    expect(await h.ask(users.requester, `extend ${original.id} --for 4h rollout still running`)).toMatch(/Extends/);
    const extension = (await h.app.store.listByRequester(users.requester.objectId, ['pending'])).find(
      (r) => r.extendsRequestId === original.id,
    )!;
    // Taken over after the extension's token was created, before its write began.
    await approveAndStopAt(extension.id, writeStarted, () => new LeaseLostError(`exec:${extension.id}`));
    expect(tokenNames()).toEqual(
      expect.arrayContaining([`acrbot-${original.id.toLowerCase()}`, `acrbot-${extension.id.toLowerCase()}`]),
    );
    // A revocation of the original began meanwhile. This build's revocations wait for a running
    // extension (access.revoke.deferred), so the mark is written as one that did not would
    // (an instance of an earlier version during a rolling upgrade).
    const current = (await h.app.store.get(original.id))!;
    await h.app.store.update({
      ...current,
      version: current.version + 1,
      access: { ...current.access!, revokingSince: now.toISOString() },
    });

    const done = await resume(extension.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('extend.notActive');
    expect(done.outcome?.error).toMatch(
      new RegExp(
        `^Request ${original.id} is being revoked, .* The credential an earlier attempt of this request had created was deleted\\.$`,
      ),
    );
    expect(done.outcome?.cleanup).toBe('deleted');
    expect(tokenNames()).toEqual([`acrbot-${original.id.toLowerCase()}`]);
    const cleanups = (await h.app.audit.forRequest(extension.id)).filter((e) => e.action === 'credential.cleanup');
    expect(cleanups).toEqual([
      // Named by its ARM id, with the DELETE's request id.
      expect.objectContaining({
        outcome: 'deleted',
        targetIds: [`${contosoId}/tokens/acrbot-${extension.id.toLowerCase()}`],
        correlationIds: [expect.any(String)],
      }),
    ]);
  });
});
