/**
 * G17 end to end, pull secrets: secrets that expire (secret, service-account entry, ACR token or
 * Entra application gone), what acrbot did not write staying (G15), rotation on extension, and
 * service accounts that change under the revocation; and access (grants too) whose answer was lost
 * or whose resource was deleted since, here because its SDK retries make it the slow part of the
 * lifecycle tests — through the real server, the scheduler and the sandbox emulators, with a test
 * clock (no sleeps: the test moves time and runs the due jobs). Shared steps: test/helpers/lifecycle.ts.
 */
import type { SecretPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  now,
  advance,
  setNow,
  start,
  contosoId,
  MINUTE,
  DAY,
  second,
  assignmentsOn,
  grant,
  outcomeSent,
  grantedSecretOnAksDev,
  secretServicePrincipal,
  actions,
  tokens,
  jobOf,
} from '../helpers/lifecycle';

/** `operation status` of the ARM calls since the log was cleared whose operation matches `only`, in order. */
function armCalls(only: RegExp): string[] {
  return h.app.sandbox!.arm.requests.filter((r) => only.test(r.operation)).map((r) => `${r.operation} ${r.status}`);
}

describe('access lifecycle (G17)', () => {
  useLifecycleHooks();

  test('a secret whose credential expires before its term (or a permanent one): the requester is reminded of the credential, with Extend (permanent: asking again, which replaces it)', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '1d', ACRBOT_SECRET_MAX_EXPIRY: '10d', ACRBOT_ALLOW_PERMANENT: 'true' });
    const { id } = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --for 30d pull for payments-api',
    );
    await h.click(users.approver, 'approve', { requestId: id });
    const done = await h.settle(id);
    expect(done.state).toBe('succeeded');
    const credentialEnd = Date.parse((done.plan as SecretPlan).expiresAt);
    // The reminder is due a day before the credential's expiry, not a day before the 30-day term.
    const remind = await h.app.stores.schedule.get(`access.remind:${id}:${DAY}`);
    expect(Date.parse(remind!.dueAt)).toBe(credentialEnd - DAY);
    setNow(new Date(credentialEnd - DAY + 1000));
    h.connector.clear();
    await h.app.scheduler.runDue();
    const reminder = await h.connector.waitFor(
      (c) => c.op !== 'update' && /Pull secret credential expires in 24 hours/.test(cardText(c.activity)),
      5000,
      'credential reminder',
    );
    expect(cardText(reminder.activity)).toMatch(
      /The credential in pull secret payments\/acr-auth in aks-dev expires at .*, before your access would end, and nothing renews it/,
    );
    expect(JSON.stringify(reminder.activity)).toContain('"verb":"extend"');
    expect((await h.app.audit.forRequest(id)).find((e) => e.action === 'access.reminded')?.detail).toMatch(
      /\(the pull secret’s credential, before the term ends\)$/,
    );

    // A permanent secret has no end job, but its credential's reminder is scheduled.
    const permanent = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --name acr-forever --for permanent pull for payments-api',
    );
    await h.click(users.approver, 'approve', { requestId: permanent.id });
    const forever = await h.settle(permanent.id);
    expect(forever.state).toBe('succeeded');
    expect(await h.app.stores.schedule.get(`access.expire:${permanent.id}`)).toBeUndefined();
    const foreverEnd = Date.parse((forever.plan as SecretPlan).expiresAt);
    const foreverRemind = await h.app.stores.schedule.get(`access.remind:${permanent.id}:${DAY}`);
    expect(Date.parse(foreverRemind!.dueAt)).toBe(foreverEnd - DAY);
    // Permanent access has no end to extend: the reminder says to ask for the secret again.
    setNow(new Date(foreverEnd - DAY + 1000));
    h.connector.clear();
    await h.app.scheduler.runDue();
    const again = await h.connector.waitFor(
      (c) => c.op !== 'update' && /although the access is permanent/.test(cardText(c.activity)),
      5000,
      'the permanent secret’s credential reminder',
    );
    expect(cardText(again.activity)).toContain(
      'ask for the secret again under the same name: "@acrbot secret aks-dev contosoacr --namespace payments --name acr-forever --for permanent REASON…"',
    );
    expect(JSON.stringify(again.activity)).not.toContain('"verb":"extend"');
    // Doing as it says replaces the secret with a new credential.
    const renewed = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --name acr-forever --for permanent renew the credential',
    );
    await h.click(users.approver, 'approve', { requestId: renewed.id });
    const replaced = await h.settle(renewed.id);
    expect(replaced.state).toBe('succeeded');
    expect(replaced.outcome?.secret?.action).toBe('replaced');
  });

  test('a secret that expires: secret, service-account entry and ACR token gone', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(1);
    const sa = () =>
      (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
        .imagePullSecrets ?? [];
    expect(sa()).toEqual([{ name: 'acr-auth' }]);

    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(sa()).toEqual([]);
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
    expect(await actions(id)).toEqual(
      expect.arrayContaining([
        'access.revoke.secret:deleted',
        'access.revoke.serviceAccount:patched',
        'access.revoke.credential:deleted',
        'access.expired:revoked',
      ]),
    );
  });

  test('G15: an imagePullSecrets entry that was there before acrbot linked the secret stays when the secret goes', async () => {
    await start();
    const k8s = h.app.sandbox!.kubernetes['aks-dev'];
    const sa = () =>
      (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
        .imagePullSecrets ?? [];
    // Someone named the secret in the service account before acrbot made it (e.g. a Helm chart).
    const account = k8s.getObject('serviceaccounts', 'payments', 'default')!;
    k8s.seedObject('serviceaccounts', { ...account, imagePullSecrets: [{ name: 'acr-auth' }] } as typeof account);
    const { id } = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    await h.click(users.approver, 'approve', { requestId: id });
    const done = await h.settle(id);
    expect(done.outcome?.secret).toEqual(expect.objectContaining({ serviceAccountPatched: false }));
    // The preview says so too.
    expect(await h.app.services.lifecycle.flow.preview(done)).toContainEqual(
      expect.objectContaining({
        what: 'imagePullSecrets entry',
        action: 'keep',
        why: expect.stringMatching(/do not show that acrbot added/),
      }),
    );

    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(sa()).toEqual([{ name: 'acr-auth' }]);
    const step = (await h.app.audit.forRequest(id)).find((e) => e.action === 'access.revoke.serviceAccount');
    expect(step).toMatchObject({
      outcome: 'kept',
      detail: expect.stringMatching(/do not show that acrbot added the imagePullSecrets entry; left in place/),
    });
  });

  test('G15: a secret made again under the same name with acrbot’s labels copied is not the one acrbot wrote, and stays at expiry', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    const written = k8s.getObject('secrets', 'payments', 'acr-auth')!;
    // Someone with write access to the namespace deletes acrbot's secret and makes their own under
    // the same name, copying its labels and annotations (request ids are on the cards).
    k8s.deleteObject('secrets', 'payments', 'acr-auth');
    const planted = k8s.seedObject('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'acr-auth',
        namespace: 'payments',
        labels: written.metadata.labels,
        annotations: written.metadata.annotations,
      },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
    });
    expect(planted.metadata.uid).not.toBe(written.metadata.uid);

    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    // Left alone: acrbot deletes only the object its store recorded writing (its uid).
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')?.metadata.uid).toBe(planted.metadata.uid);
    // The credential acrbot created for the request is still retired, from its own records.
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
    expect(await actions(id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:notOurs', 'access.revoke.credential:deleted']),
    );
  });

  test('G15: a secret whose label now names another request is left alone at expiry, although its uid is the one acrbot wrote (labels only make acrbot more careful)', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const written = k8s.getObject('secrets', 'payments', 'acr-auth')!;
    // Relabelled in place (an update keeps the uid), e.g. by a write acrbot's store never recorded.
    const relabelled = k8s.seedObject('secrets', {
      ...written,
      metadata: { ...written.metadata, labels: { ...written.metadata.labels, 'acrbot.io/request-id': 'R-ZZZZZZZZ' } },
    });
    expect(relabelled.metadata.uid).toBe(written.metadata.uid);

    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')?.metadata.uid).toBe(written.metadata.uid);
    const sa = k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as {
      imagePullSecrets?: { name: string }[];
    };
    expect(sa.imagePullSecrets).toEqual([{ name: 'acr-auth' }]);
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
    const step = (await h.app.audit.forRequest(id)).find((e) => e.action === 'access.revoke.secret');
    expect(step).toMatchObject({ outcome: 'notOurs', detail: 'its label names R-ZZZZZZZZ; left in place' });
  });

  test('a --kind sp secret that expires: the Entra application and its role assignment on the registry are gone', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --kind sp --namespace payments --for 2m pull for payments-api',
    );
    const { appId, directory, sp } = secretServicePrincipal(k8s);
    expect(directory.getApplicationByAppId(appId)).toBeDefined();
    const spAssignments = () =>
      assignmentsOn(contosoId).filter((a: { principalId: string }) => a.principalId === sp.id);
    expect(spAssignments()).toHaveLength(1);

    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(directory.getApplicationByAppId(appId)).toBeUndefined();
    expect(spAssignments()).toHaveLength(0);
    expect(await actions(id)).toContain('access.revoke.credential:deleted');
  });

  test('extending a secret rotates it: a new token in the same secret, the old token deleted; it ends at the new end', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    expect(tokens()).toEqual([`acrbot-${id.toLowerCase()}`]);
    h.connector.clear();
    await h.say(users.requester, `extend ${id} --for 1h rollout still running`);
    const card = await h.connector.waitFor(
      (c) => c.op !== 'update' && /Extends/.test(cardText(c.activity)) && /rotation/.test(cardText(c.activity)),
      5000,
      'rotation plan card',
    );
    const extensionId = [...cardText(card.activity).matchAll(/R-[2-9A-HJKMNP-TV-Z]{8}/g)]
      .map((m) => m[0])
      .find((x) => x !== id)!;
    await h.click(users.approver, 'approve', { requestId: extensionId });
    expect((await h.settle(extensionId)).state).toBe('succeeded');
    expect(tokens()).toEqual([`acrbot-${extensionId.toLowerCase()}`]);
    const secret = k8s.getObject('secrets', 'payments', 'acr-auth') as unknown as {
      metadata: { labels: Record<string, string> };
    };
    expect(secret.metadata.labels['acrbot.io/request-id']).toBe(extensionId);
    expect((await h.app.store.get(id))!.access?.expiresAt).toBe('2026-11-30T11:00:00.000Z');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
    advance(58 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect((await h.app.store.get(extensionId))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(tokens()).toEqual([]);
  });

  test('G15/G17: a later request that replaced the secret keeps it when the earlier one ends (same uid, acrbot’s records say who wrote last)', async () => {
    const { id: first, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const uid = k8s.getObject('secrets', 'payments', 'acr-auth')!.metadata.uid;
    const sa = () =>
      (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
        .imagePullSecrets ?? [];
    // A second request replaces the secret (a PUT: the Kubernetes uid stays) and retires the first's token.
    const later = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --service-account default --for 1h pull for payments-api',
    );
    await h.click(users.approver, 'approve', { requestId: later.id });
    expect((await h.settle(later.id)).state).toBe('succeeded');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')!.metadata.uid).toBe(uid);
    expect(tokens()).toEqual([`acrbot-${later.id.toLowerCase()}`]);

    advance(2 * MINUTE); // the first ends
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(first))!.state).toBe('revoked');
    // The later request's secret, its service-account entry and its token are untouched.
    const kept = k8s.getObject('secrets', 'payments', 'acr-auth')!;
    expect(kept.metadata.uid).toBe(uid);
    expect(kept.metadata.labels?.['acrbot.io/request-id']).toBe(later.id);
    expect(sa()).toEqual([{ name: 'acr-auth' }]);
    expect(tokens()).toEqual([`acrbot-${later.id.toLowerCase()}`]);
    const audit = await h.app.audit.forRequest(first);
    const secretStep = audit.find((e) => e.action === 'access.revoke.secret');
    expect(secretStep?.outcome).toBe('kept');
    expect(secretStep?.detail).toContain(later.id);
    expect(audit.map((e) => `${e.action}:${e.outcome}`)).not.toContain('access.revoke.serviceAccount:patched');

    advance(58 * MINUTE); // the later one ends: now it goes
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(later.id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(sa()).toEqual([]);
    expect(tokens()).toEqual([]);
    expect(await actions(later.id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:deleted', 'access.revoke.serviceAccount:patched']),
    );
  });

  test('G15: the entry an earlier request added goes with the secret when a later request that replaced it without a service account ends', async () => {
    const { id: first, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const sa = () =>
      (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
        .imagePullSecrets ?? [];
    expect(sa()).toEqual([{ name: 'acr-auth' }]);
    // The later request names no service account, yet replaces the same secret object.
    const later = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments --for 1h pull again');
    await h.click(users.approver, 'approve', { requestId: later.id });
    const written = await h.settle(later.id);
    expect(written.outcome?.secret).toMatchObject({ serviceAccountPatched: false, serviceAccounts: ['default'] });
    advance(2 * MINUTE); // the first ends: the later one holds the secret and its entry
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(first))!.state).toBe('revoked');
    expect(sa()).toEqual([{ name: 'acr-auth' }]);
    advance(58 * MINUTE); // the later one ends: the secret goes, and the entry acrbot added with it
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(later.id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(sa()).toEqual([]);
    expect(await actions(later.id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:deleted', 'access.revoke.serviceAccount:patched']),
    );
  });

  test('a service account that cannot be patched after the secret went is retried: the retry takes the entry out, the secret being gone', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const sa = () =>
      (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
        .imagePullSecrets ?? [];
    const refused = k8s.faults.inject({ verb: 'patch', resource: 'serviceaccounts', status: 500, times: Infinity });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(sa()).toEqual([{ name: 'acr-auth' }]);
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    expect(await jobOf(`access.expire:${id}`)).toMatchObject({ attempts: 1 });
    refused();
    advance(MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(sa()).toEqual([]);
    expect(await actions(id)).toEqual(
      expect.arrayContaining([
        'access.revoke.secret:deleted',
        'access.revoke.serviceAccount:failed',
        'access.revoke.secret:absent',
        'access.revoke.serviceAccount:patched',
      ]),
    );
  });

  test('a service account whose list changes between the read and the patch is read again: only acrbot’s entry goes', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const sa = () =>
      (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
        .imagePullSecrets ?? [];
    // Someone adds their registry's secret at the front just as acrbot patches: the entry acrbot
    // read at index 0 is at index 1 by then, and the patch's test fails (422).
    k8s.faults.inject({
      verb: 'patch',
      resource: 'serviceaccounts',
      meanwhile: () => {
        const current = k8s.getObject('serviceaccounts', 'payments', 'default')!;
        k8s.seedObject('serviceaccounts', {
          ...current,
          imagePullSecrets: [{ name: 'team-registry' }, ...sa()],
        } as typeof current);
      },
    });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(sa()).toEqual([{ name: 'team-registry' }]);
    expect(await actions(id)).toEqual(expect.arrayContaining(['access.revoke.serviceAccount:patched']));
    expect(
      k8s.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/serviceaccounts/')).map((r) => r.status),
    ).toEqual(expect.arrayContaining([422, 200]));
  });

  test('a service account whose list keeps changing is left for the retry as a conflict, not refused as invalid', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    let added = 0;
    const churning = k8s.faults.inject({
      verb: 'patch',
      resource: 'serviceaccounts',
      times: Infinity,
      meanwhile: () => {
        const current = k8s.getObject('serviceaccounts', 'payments', 'default')! as unknown as {
          imagePullSecrets?: { name: string }[];
        };
        k8s.seedObject('serviceaccounts', {
          ...current,
          imagePullSecrets: [{ name: `team-${++added}` }, ...(current.imagePullSecrets ?? [])],
        } as never);
      },
    });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    churning();
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    const failed = (await h.app.audit.forRequest(id)).find(
      (e) => e.action === 'access.revoke.serviceAccount' && e.outcome === 'failed',
    );
    expect(failed?.detail).toBe('kubernetes.conflict');
    expect(added).toBe(3);
  });

  test('a service account deleted before its secret expires is audited absent (no entry to take out), and the revocation completes', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    expect(k8s.deleteObject('serviceaccounts', 'payments', 'default')).toBe(true);
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    const entry = (await h.app.audit.forRequest(id)).find((e) => e.action === 'access.revoke.serviceAccount');
    expect(entry).toMatchObject({
      outcome: 'absent',
      targetIds: [expect.stringMatching(/\/namespaces\/payments\/serviceaccounts\/default$/)],
      detail: 'the service account no longer exists; no entry to take out',
    });
  });

  test('a secret revoked while its cluster is unreachable: the credential is deleted at once, the cluster clean-up retried without touching a token made since under the same name', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 30d pull for payments-api',
    );
    const tokenName = `acrbot-${id.toLowerCase()}`;
    expect(tokens()).toEqual([tokenName]);
    // The API server cannot be reached (cluster stopped): every call drops the connection.
    const unreachable = k8s.faults.inject({ drop: true, times: Infinity });
    await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'token leaked' });
    // The confirmation runs the job at once (after its answer); its first attempt fails on the cluster.
    await h.app.services.background.drain();
    const job = (await jobOf(`access.expire:${id}`))!;
    expect(job.attempts).toBe(1);
    expect(job.lastError).toMatch(/cluster/i);
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    // The leaked credential no longer works, although the cluster could not be reached.
    expect(tokens()).toEqual([]);
    expect(await actions(id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:failed', 'access.revoke.credential:deleted']),
    );
    // Someone makes a token under the same name meanwhile: acrbot's records vouch for the one it
    // deleted, not for this one.
    const registry = h.app.sandbox!.arm.state.getRegistry(contosoId)!;
    registry.tokens.set(tokenName, {
      id: `${contosoId}/tokens/${tokenName}`,
      name: tokenName,
      scopeMapId: `${contosoId}/scopeMaps/_repositories_pull`,
      status: 'enabled' as const,
      creationDate: new Date().toISOString(),
      passwords: [],
    });
    unreachable();
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(tokens()).toEqual([tokenName]);
    expect((await actions(id)).filter((a) => a === 'access.revoke.credential:deleted')).toHaveLength(1);
    expect(await actions(id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:deleted', 'access.revoke.credential:alreadyDeleted']),
    );
  });

  describe('a grant whose answer was lost, and access on a resource deleted since', () => {
    const aksDevId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.dev);

    test('G17: a role assignment PUT Azure applied but whose answer was lost (500 on every SDK retry) is read back: the grant succeeds and ends at its expiry', async () => {
      await start();
      const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
      // Carried out each time, answered 500 each time: the PUT and the SDK's own three retries.
      h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.create', status: 500, afterApply: true, count: 4 });
      await h.click(users.approver, 'approve', { requestId: request.id });
      const done = await h.settle(request.id);
      expect(h.app.sandbox!.arm.faults.pending()).toEqual([]);
      expect(done.state).toBe('succeeded');
      const plan = done.plan as Extract<AccessRequest['plan'], { kind: 'grant' }>;
      // acrbot made it (the deterministic name), so it is not "already present": expiry deletes it.
      expect(done.outcome?.alreadyPresent).toBeFalsy();
      expect(done.outcome?.createdIds).toEqual([expect.stringMatching(new RegExp(`${plan.roleAssignmentName}$`))]);
      expect(assignmentsOn(contosoId)).toHaveLength(1);
      const writes = (await h.app.audit.forRequest(request.id)).filter(
        (e) => e.action === 'azure.write.roleAssignment',
      );
      expect(writes.map((e) => e.outcome)).toEqual(['failed:InternalServerError', 'created']);
      expect(writes[1].detail).toMatch(/answer was lost.*read back/);
      await outcomeSent(request.id);

      advance(2 * MINUTE);
      await h.app.scheduler.runDue();
      expect((await h.app.store.get(request.id))!.state).toBe('revoked');
      expect(assignmentsOn(contosoId)).toHaveLength(0);
      expect(await actions(request.id)).toContain('access.revoke.roleAssignment:deleted');
    });

    test('G17: a lost answer that cannot be read back either fails the grant saying so, and the assignment Azure made is deleted at once by the revocation checks', async () => {
      await start();
      const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
      h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.create', status: 500, afterApply: true, count: 4 });
      // The read-back is refused too (not retried by the SDK).
      h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.listForScope', status: 403 });
      await h.click(users.approver, 'approve', { requestId: request.id });
      const failed = await h.settle(request.id);
      expect(h.app.sandbox!.arm.faults.pending()).toEqual([]);
      expect(failed.state).toBe('failed');
      expect(failed.outcome?.errorCode).toBe('azure.writeUnconfirmed');
      expect(failed.outcome?.error).toMatch(/could not tell whether Azure made it.*acrbot deletes it/);
      await h.connector.waitFor(
        (c) =>
          cardText(c.activity).includes(request.id) &&
          /could not tell whether Azure made it/.test(cardText(c.activity)),
        5000,
        'the failure on the card',
      );
      // Azure did make it: nothing may keep it, the request's term is not waited for.
      expect(assignmentsOn(contosoId)).toHaveLength(1);
      expect((await jobOf(`access.expire:${request.id}`))?.dueAt).toBe(now.toISOString());
      h.connector.clear();
      await h.app.scheduler.runDue();
      expect(assignmentsOn(contosoId)).toHaveLength(0);
      const step = (await h.app.audit.forRequest(request.id)).findLast(
        (e) => e.action === 'access.revoke.roleAssignment',
      );
      expect(step).toMatchObject({ outcome: 'deleted', detail: expect.stringMatching(/answer to its PUT was lost/) });
      // Still failed (it never granted anything), the job is done, and nobody is told it "ended".
      expect((await h.app.store.get(request.id))!.state).toBe('failed');
      expect(await jobOf(`access.expire:${request.id}`)).toBeUndefined();
      expect(
        h.connector.calls.filter((c) => /Needs attention|Expired and revoked|Revoked/.test(cardText(c.activity))),
      ).toEqual([]);
    });

    test('G15: the clean-up of an unconfirmed grant keeps an assignment another active grant holds', async () => {
      await start();
      const holder = await grant(second, 'aks-prod contosoacr --for 1d second team deploys');
      const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
      // Found present (identical re-PUT): the same assignment, which the first grant holds.
      h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.create', status: 500, afterApply: true, count: 4 });
      h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.listForScope', status: 403 });
      await h.click(users.approver, 'approve', { requestId: request.id });
      expect((await h.settle(request.id)).outcome?.errorCode).toBe('azure.writeUnconfirmed');
      await h.app.scheduler.runDue();
      expect(assignmentsOn(contosoId)).toHaveLength(1);
      const step = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'access.revoke.roleAssignment');
      expect(step).toMatchObject({ outcome: 'kept', detail: `still used by ${holder.id}` });
      expect(await jobOf(`access.expire:${request.id}`)).toBeUndefined();
    });

    test('G17: a grant whose registry was deleted ends at its expiry (audited absent), not retried and reported for ever', async () => {
      await start();
      const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
      await outcomeSent(request.id);
      expect(h.app.sandbox!.arm.state.removeRegistry(contosoId)).toBe(true);
      h.connector.clear();
      advance(2 * MINUTE);
      await h.app.scheduler.runDue();
      expect((await h.app.store.get(request.id))!.state).toBe('revoked');
      const step = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'access.revoke.roleAssignment');
      expect(step).toMatchObject({
        outcome: 'absent',
        detail: expect.stringMatching(/registry contosoacr no longer exists \(Azure answered ResourceNotFound\)/),
      });
      expect(await jobOf(`access.expire:${request.id}`)).toBeUndefined();
      expect(h.connector.calls.filter((c) => /Needs attention/.test(cardText(c.activity)))).toEqual([]);
      await h.connector.waitFor(
        (c) => c.op !== 'update' && /Expired and revoked: /.test(cardText(c.activity)),
        5000,
        'requester told',
      );
    });

    test('G17: a --kind sp secret whose cluster was deleted: the secret is audited absent, the Entra application (outside the cluster) is still deleted, and it ends', async () => {
      const { id, k8s } = await grantedSecretOnAksDev(
        'aks-dev contosoacr --kind sp --namespace payments --for 2m pull for payments-api',
      );
      const { appId, directory, sp } = secretServicePrincipal(k8s);
      expect(h.app.sandbox!.arm.state.removeCluster(aksDevId)).toBe(true);
      h.connector.clear();
      h.app.sandbox!.arm.clearRequests();
      advance(2 * MINUTE);
      await h.app.scheduler.runDue();
      expect((await h.app.store.get(id))!.state).toBe('revoked');
      // acrbot's Cluster User Role went with the cluster: the credential call is refused, and the
      // cluster's own read (Reader on its resource group) says it is gone.
      expect(armCalls(/^managedClusters\.(listClusterUserCredential|get)$/)).toEqual([
        'managedClusters.listClusterUserCredential 403',
        'managedClusters.get 404',
      ]);
      expect(directory.getApplicationByAppId(appId)).toBeUndefined();
      expect(assignmentsOn(contosoId).filter((a: { principalId: string }) => a.principalId === sp.id)).toEqual([]);
      const entries = await h.app.audit.forRequest(id);
      expect(entries.find((e) => e.action === 'access.revoke.secret')).toMatchObject({
        outcome: 'absent',
        detail: expect.stringMatching(/cluster aks-dev no longer exists \(Azure answered ResourceNotFound\)/),
      });
      expect(entries.findLast((e) => e.action === 'access.revoke.credential')).toMatchObject({ outcome: 'deleted' });
      expect(await jobOf(`access.expire:${id}`)).toBeUndefined();
      expect(h.connector.calls.filter((c) => /Needs attention/.test(cardText(c.activity)))).toEqual([]);
    });

    test('G17: a --kind sp secret whose registry was deleted: its role assignment is looked for before any delete, the listing answers the registry gone (404), nothing is deleted there, and it ends', async () => {
      const { id, k8s } = await grantedSecretOnAksDev(
        'aks-dev contosoacr --kind sp --namespace payments --for 2m pull for payments-api',
      );
      const { appId, directory } = secretServicePrincipal(k8s);
      expect(h.app.sandbox!.arm.state.removeRegistry(contosoId)).toBe(true);
      h.connector.clear();
      h.app.sandbox!.arm.clearRequests();
      advance(2 * MINUTE);
      await h.app.scheduler.runDue();
      expect((await h.app.store.get(id))!.state).toBe('revoked');
      expect(armCalls(/^(roleAssignments\.(delete|listForScope)|registries\.get)$/)).toEqual([
        'roleAssignments.listForScope 404',
      ]);
      expect(directory.getApplicationByAppId(appId)).toBeUndefined();
      expect(await actions(id)).toEqual(
        expect.arrayContaining(['access.revoke.secret:deleted', 'access.revoke.credential:deleted']),
      );
      expect(await jobOf(`access.expire:${id}`)).toBeUndefined();
      expect(h.connector.calls.filter((c) => /Needs attention/.test(cardText(c.activity)))).toEqual([]);
    });

    test("a grant whose registry was deleted while acrbot's Reader on its resource group is gone too: it cannot tell deleted from refused, says so, and claims nothing removed", async () => {
      await start();
      const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
      await outcomeSent(request.id);
      const group = `/subscriptions/${SANDBOX_REGISTRIES.contoso.subscriptionId}/resourceGroups/${SANDBOX_REGISTRIES.contoso.resourceGroup}`;
      expect(h.app.sandbox!.arm.state.unassignCaller(group, 'Reader')).toBe(1);
      expect(h.app.sandbox!.arm.state.removeRegistry(contosoId)).toBe(true);
      h.connector.clear();
      h.app.sandbox!.arm.clearRequests();
      advance(2 * MINUTE);
      await h.app.scheduler.runDue();
      expect(armCalls(/^(roleAssignments\.listForScope|registries\.get)$/)).toEqual([
        'roleAssignments.listForScope 403',
        'registries.get 403',
      ]);
      expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
      expect((await jobOf(`access.expire:${request.id}`))!.attempts).toBe(1);
      expect(await actions(request.id)).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^access\.revoke\.roleAssignment:(absent|deleted)$/)]),
      );
      const report = await h.connector.waitFor(
        (c) => c.op !== 'update' && /Needs attention/.test(cardText(c.activity)),
        5000,
        'the failing revocation reported',
      );
      const text = cardText(report.activity);
      expect(text).toMatch(
        /cannot tell whether the registry was deleted or acrbot's rights on it and on its resource group rg-acr were removed/,
      );
      expect(text).toMatch(/Azure request id [0-9a-f-]{36}/);
      expect(text).not.toMatch(/no longer exists/);
      expect(h.connector.calls.filter((c) => /Expired and revoked/.test(cardText(c.activity)))).toEqual([]);
    });

    test('G17: a token secret whose registry was deleted: the secret in the cluster (outside the registry) is still deleted, and it ends', async () => {
      const { id, k8s } = await grantedSecretOnAksDev(
        'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
      );
      expect(h.app.sandbox!.arm.state.removeRegistry(contosoId)).toBe(true);
      advance(2 * MINUTE);
      await h.app.scheduler.runDue();
      expect((await h.app.store.get(id))!.state).toBe('revoked');
      expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
      expect(await actions(id)).toEqual(expect.arrayContaining(['access.revoke.secret:deleted']));
      expect(await jobOf(`access.expire:${id}`)).toBeUndefined();
    });

    test('a cluster acrbot may no longer read (403) is not taken for deleted: the revocation fails, is retried and reported', async () => {
      const { id, k8s } = await grantedSecretOnAksDev(
        'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
      );
      h.app.sandbox!.arm.faults.add({
        operation: 'managedClusters.listClusterUserCredential',
        status: 403,
        count: Infinity,
      });
      advance(2 * MINUTE);
      await h.app.scheduler.runDue();
      expect((await h.app.store.get(id))!.state).toBe('succeeded');
      expect((await jobOf(`access.expire:${id}`))!.attempts).toBe(1);
      expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
      expect(await actions(id)).toEqual(expect.arrayContaining(['access.revoke.secret:failed']));
      expect(await actions(id)).not.toContain('access.revoke.secret:absent');
      await h.connector.waitFor(
        (c) => c.op !== 'update' && /Needs attention/.test(cardText(c.activity)),
        5000,
        'the failing revocation reported',
      );
    });
  });
});
