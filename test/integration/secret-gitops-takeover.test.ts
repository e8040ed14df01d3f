/**
 * G15 for a pull secret that GitOps (Argo CD, Flux, `kubectl apply`) or a policy engine changes in
 * place, against the emulated Kubernetes API server, through the real server and scheduler:
 *
 * - A sync that takes the name over patches the object acrbot made (same uid, acrbot's labels
 *   kept, as they are not in the applied manifest) with the team's data. acrbot recorded a hash of
 *   the data it wrote, so at the access's end it leaves that secret and its service-account entry
 *   (deleting only its own credential), and an extension refuses to overwrite it, whether the
 *   sync came before the check or between the check and the PUT. Records made before the hash was
 *   kept go by the uid, as before; acrbot's own rotations record a new hash at each write.
 * - A sync that puts a service account's `imagePullSecrets` back as git has it (acrbot's entry
 *   gone): the revocation says the entry was already gone.
 * - A policy engine that takes acrbot's request-id label off: acrbot's records (uid and data)
 *   still prove the secret is acrbot's, and the extension rotates it, putting the label back.
 * - A run resumed after its write landed unanswered recognises its own write by the data it
 *   recorded being about to write, label or not, and refuses one whose data someone replaced.
 */
import { createHash } from 'node:crypto';
import type { AccessRequest } from '../../src/domain/request';
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { users } from '../helpers/harness';
import {
  actions,
  advance,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  requestExtension,
  start,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';
import { within } from '../helpers/within';

useLifecycleHooks();

type Cluster = Awaited<ReturnType<typeof grantedSecretOnAksDev>>['k8s'];

const ARGS = 'aks-dev contosoacr --namespace payments --service-account default --for 2h pull for payments-api';
/** The team's own docker config, as their git repository has it. */
const TEAM = Buffer.from(
  JSON.stringify({ auths: { 'contosoacr.azurecr.io': { username: 'team-token', password: 'team-pw' } } }),
).toString('base64');

const secret = (k8s: Cluster) => k8s.getObject('secrets', 'payments', 'acr-auth');
const dockerConfig = (k8s: Cluster) =>
  (secret(k8s) as unknown as { data: Record<string, string> }).data['.dockerconfigjson'];
const entries = (k8s: Cluster) =>
  (
    (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
      .imagePullSecrets ?? []
  ).map((e) => e.name);

/**
 * An Argo CD sync (or `kubectl apply`) of the team's manifest for acr-auth: a patch of the object
 * acrbot made, so its uid and acrbot's labels stay, with the team's data, label and annotation.
 */
function syncTeamSecret(k8s: Cluster): void {
  const s = secret(k8s)!;
  k8s.seedObject('secrets', {
    ...s,
    metadata: {
      ...s.metadata,
      labels: { ...(s.metadata.labels as object), 'app.kubernetes.io/instance': 'payments' },
      annotations: {
        ...((s.metadata.annotations as object) ?? {}),
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
      },
    },
    data: { '.dockerconfigjson': TEAM },
  } as KubeObject);
}

/** A policy engine's mutation: acrbot's request-id label taken off, nothing else changed. */
function stripRequestIdLabel(k8s: Cluster): void {
  const s = secret(k8s)!;
  const labels = { ...(s.metadata.labels as Record<string, string>) };
  delete labels['acrbot.io/request-id'];
  k8s.seedObject('secrets', { ...s, metadata: { ...s.metadata, labels } } as KubeObject);
}

/** `id`'s access runs out (`hours` from now) and its end job runs. */
async function accessEnds(id: string, hours = 2): Promise<void> {
  advance(hours * 60 * MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
}

/** The audit entry `action` of `id` (the first). */
async function entry(id: string, action: string) {
  return (await h.app.audit.forRequest(id)).find((e) => e.action === action);
}

/** The extension of `id` asked for and approved; it ran. */
async function extensionRun(id: string): Promise<AccessRequest> {
  advance(MINUTE);
  const extension = await requestExtension(id, '--for 4h rollout still running');
  await h.click(users.approver, 'approve', { requestId: extension });
  return h.settle(extension);
}

describe('a GitOps sync that took the secret over in place (same uid, acrbot’s labels kept, the team’s data)', () => {
  test('the access’s end leaves it and its service-account entry, and deletes acrbot’s credential only', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(ARGS);
    const uid = secret(k8s)!.metadata.uid;
    syncTeamSecret(k8s);
    expect(secret(k8s)!.metadata.uid).toBe(uid);

    await accessEnds(id);
    expect(secret(k8s)!.metadata.uid).toBe(uid);
    expect(dockerConfig(k8s)).toBe(TEAM);
    expect(entries(k8s)).toEqual(['acr-auth']);
    expect(tokens()).toEqual([]);
    expect(await entry(id, 'access.revoke.secret')).toMatchObject({
      outcome: 'notOurs',
      detail: expect.stringMatching(
        /^it is the object acrbot wrote \(uid .+\), but its contents were replaced by someone else since acrbot wrote it; left in place with its imagePullSecrets entries/,
      ),
    });
    expect(await actions(id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:notOurs', 'access.revoke.credential:deleted']),
    );
    expect(await actions(id)).not.toContain('access.revoke.serviceAccount:patched');
  });

  test('an extension refuses to overwrite it, saying why; the team’s data stays, its own token is deleted again', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(ARGS);
    syncTeamSecret(k8s);

    const done = await extensionRun(id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('kubernetes.foreignSecret');
    expect(done.outcome?.error).toMatch(
      new RegExp(
        `its label names request ${id}, but its contents were replaced by someone else since acrbot wrote it for ${id} .*It seems to be someone else's secret`,
      ),
    );
    expect(dockerConfig(k8s)).toBe(TEAM);
    // The original's token (still its access) stays; the extension's was deleted again.
    expect(tokens()).toEqual([`acrbot-${id.toLowerCase()}`]);
  });

  test('synced between the extension’s check and its PUT: not overwritten either', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(ARGS);
    k8s.faults.inject({ method: 'PUT', resource: 'secrets', name: 'acr-auth', meanwhile: () => syncTeamSecret(k8s) });

    const done = await extensionRun(id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('kubernetes.secretChanged');
    expect(dockerConfig(k8s)).toBe(TEAM);
    expect(tokens()).toEqual([`acrbot-${id.toLowerCase()}`]);
  });

  test('a secret recorded before acrbot kept the data’s hash: by the uid and labels, as before (deleted)', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(ARGS);
    const stored = (await h.app.store.get(id))!;
    await h.app.store.update({
      ...stored,
      version: stored.version + 1,
      created: stored.created!.map(({ dataFingerprint: _, ...record }) => record),
    });
    syncTeamSecret(k8s);

    await accessEnds(id);
    expect(secret(k8s)).toBeUndefined();
    expect(await entry(id, 'access.revoke.secret')).toMatchObject({ outcome: 'deleted' });
  });
});

test('acrbot’s own rotation records the new data’s hash (not the data): the access’s end still deletes the secret', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(ARGS);
  const done = await extensionRun(id);
  expect(done.state).toBe('succeeded');
  const hash = `sha256:${createHash('sha256')
    .update(JSON.stringify([['.dockerconfigjson', dockerConfig(k8s)]]))
    .digest('hex')}`;
  const written = done.created!.filter((o) => o.kind === 'pullSecret' || o.kind === 'pullSecretWriteStarted');
  expect(written.map((o) => o.dataFingerprint)).toEqual([hash, hash]);
  const password = JSON.parse(Buffer.from(dockerConfig(k8s), 'base64').toString()).auths['contosoacr.azurecr.io']
    .password as string;
  expect(JSON.stringify(done.created)).not.toContain(password);

  await accessEnds(id, 6);
  expect(secret(k8s)).toBeUndefined();
  expect(entries(k8s)).toEqual([]);
  expect(await entry(done.id, 'access.revoke.secret')).toMatchObject({ outcome: 'deleted' });
});

test('a sync that put the service account’s imagePullSecrets back as git has it: the entry is said to be gone already', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(ARGS);
  const sa = k8s.getObject('serviceaccounts', 'payments', 'default')!;
  k8s.seedObject('serviceaccounts', { ...sa, imagePullSecrets: [{ name: 'team' }] } as KubeObject);

  await accessEnds(id);
  expect(secret(k8s)).toBeUndefined();
  expect(entries(k8s)).toEqual(['team']);
  expect(await entry(id, 'access.revoke.serviceAccount')).toMatchObject({
    outcome: 'absent',
    detail: 'the entry was already gone from its imagePullSecrets; nothing to take out',
  });
});

describe('a policy engine that took acrbot’s request-id label off its secret', () => {
  test('an extension rotates it all the same (its records prove it by uid and data) and puts the label back', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(ARGS);
    const uid = secret(k8s)!.metadata.uid;
    stripRequestIdLabel(k8s);

    const done = await extensionRun(id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.secret?.action).toBe('replaced');
    expect(secret(k8s)!.metadata.uid).toBe(uid);
    expect(secret(k8s)!.metadata.labels?.['acrbot.io/request-id']).toBe(done.id);
    // The original's token retired: one live token, the extension's.
    expect(tokens()).toEqual([`acrbot-${done.id.toLowerCase()}`]);
  });

  test('… and with the team’s data in it too: refused, saying the contents were replaced', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(ARGS);
    syncTeamSecret(k8s);
    stripRequestIdLabel(k8s);

    const done = await extensionRun(id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.error).toMatch(
      new RegExp(`it is the object acrbot wrote for request ${id}, but its contents were replaced by someone else`),
    );
    expect(dockerConfig(k8s)).toBe(TEAM);
  });
});

describe('a run resumed after its write landed and its record of it did not', () => {
  /** Has the approver approve `id` and its run stop, interrupted, at the record of the written secret. */
  async function approveAndLoseTheRecord(id: string): Promise<void> {
    const store = h.app.store;
    const update = store.update.bind(store);
    let refused = 0;
    store.update = async (next) => {
      if (!refused && next.id === id && next.created?.some((o) => o.kind === 'pullSecret')) {
        refused++;
        throw new Error('the store did not answer');
      }
      return update(next);
    };
    await h.click(users.approver, 'approve', { requestId: id });
    await within(h.app.services.executor.drain(), 'the run to stop at the record of the written secret', 15_000);
    expect(refused).toBe(1);
    expect((await h.app.store.get(id))?.state).toBe('executing');
  }

  async function resumed(id: string): Promise<AccessRequest> {
    await h.app.services.executor.resumeInterrupted();
    return h.settle(id);
  }

  test('its label taken off meanwhile: its own write, by the data it recorded being about to write', async () => {
    await start();
    const k8s = h.app.sandbox!.kubernetes['aks-dev'];
    const { id } = await h.requestSecret(users.requester, ARGS);
    await approveAndLoseTheRecord(id);
    stripRequestIdLabel(k8s);

    const done = await resumed(id);
    expect(done.state).toBe('succeeded');
    expect(secret(k8s)!.metadata.labels?.['acrbot.io/request-id']).toBe(id);
  });

  test('its data replaced meanwhile (its label kept): refused, not overwritten', async () => {
    await start();
    const k8s = h.app.sandbox!.kubernetes['aks-dev'];
    const { id } = await h.requestSecret(users.requester, ARGS);
    await approveAndLoseTheRecord(id);
    syncTeamSecret(k8s);

    const done = await resumed(id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.error).toMatch(/its label names this request, but its contents were replaced by someone else/);
    expect(dockerConfig(k8s)).toBe(TEAM);
  });
});
