/**
 * A pull secret asked for under a name the cluster already has: the plan card says whether the
 * run will refuse it, by acrbot's records alone (G15: a label read back never vouches by itself),
 * so the requester can ask again under another name before anyone approves; after the run refused
 * it, the way on asks for another name, not the one that failed. End to end: server, Kubernetes
 * emulator, test clock.
 */
import type { AccessRequest } from '../../src/domain/request';
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { outcomeCard } from '../../src/views/request-view';
import { callsWithText, users } from '../helpers/harness';
import { cardOf, h, second, secretApproved, start, useLifecycleHooks } from '../helpers/lifecycle';

const ARGS = 'aks-dev contosoacr --namespace payments pull for payments-api';
const WARNING =
  /At \d{4}-\d\d-\d\d \d\d:\d\d UTC secret payments\/acr-auth already existed in cluster aks-dev, and acrbot's records do not show it as one this request may replace: the run will refuse to overwrite it\. Ask again with another --name/;

const k8s = () => h.app.sandbox!.kubernetes['aks-dev'];
const checkOf = (request: AccessRequest) => (request.plan.kind === 'secret' ? request.plan.targetCheck : undefined);

/** A secret payments/acr-auth made outside acrbot, with `labels`. */
function plantSecret(labels: Record<string, string> = {}): void {
  k8s().seedObject('secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'acr-auth', namespace: 'payments', labels },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
  } as KubeObject);
}

describe('a pull secret asked for under a name the cluster already has', () => {
  useLifecycleHooks();

  test("someone else's: the card warns, the run refuses, and the way on asks for another name", async () => {
    await start();
    plantSecret();
    h.connector.clear();
    const { id } = await h.requestSecret(users.requester, ARGS);
    const request = (await h.app.store.get(id))!;
    expect(request.state).toBe('pending');
    expect(checkOf(request)).toMatch(WARNING);
    // The card the bot sent carries the warning, and so does its redraw from the store.
    expect(callsWithText(h.connector, WARNING).length).toBeGreaterThan(0);
    expect(await cardOf(id)).toMatch(WARNING);

    await h.click(users.approver, 'approve', { requestId: id });
    const done = await h.settle(id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('kubernetes.foreignSecret');
    expect(await cardOf(id)).not.toMatch(WARNING);
    // The way on names no name that failed: the requester picks another.
    const outcome = JSON.stringify(outcomeCard(done));
    expect(outcome).toContain(
      'ask again: \\"@acrbot secret aks-dev contosoacr --namespace payments --name NEW-NAME --for 30d REASON…\\"',
    );
    expect(outcome).not.toContain('--name acr-auth');
    expect(callsWithText(h.connector, /--name NEW-NAME/).length).toBeGreaterThan(0);
  });

  test("a copy of acrbot's labels on a secret acrbot did not write: warned all the same", async () => {
    await start();
    const first = await secretApproved(users.requester, ARGS);
    const written = k8s().getObject('secrets', 'payments', 'acr-auth')!;
    // Deleted and made again by someone else, with the labels of the request that wrote it.
    k8s().deleteObject('secrets', 'payments', 'acr-auth');
    plantSecret(written.metadata.labels as Record<string, string>);
    expect(k8s().getObject('secrets', 'payments', 'acr-auth')!.metadata.labels?.['acrbot.io/request-id']).toBe(first);

    const { id } = await h.requestSecret(second, ARGS);
    expect(checkOf((await h.app.store.get(id))!)).toMatch(WARNING);
  });

  test("acrbot's own, its label intact or taken off by a policy engine: no warning, and the run replaces it", async () => {
    await start();
    const first = await secretApproved(users.requester, ARGS);
    const { id } = await h.requestSecret(second, ARGS);
    const request = (await h.app.store.get(id))!;
    expect(request.plan).toMatchObject({ replaces: { requestId: first } });
    expect(checkOf(request)).toBeUndefined();
    await h.click(users.approver, 'approve', { requestId: id });
    expect((await h.settle(id)).state).toBe('succeeded');

    // Its label taken off: acrbot's records (uid and data) still say it is the one written.
    const s = k8s().getObject('secrets', 'payments', 'acr-auth')!;
    const { 'acrbot.io/request-id': _taken, ...labels } = s.metadata.labels as Record<string, string>;
    k8s().seedObject('secrets', { ...s, metadata: { ...s.metadata, labels } } as KubeObject);
    const again = await h.requestSecret(users.requester, ARGS);
    const stored = (await h.app.store.get(again.id))!;
    expect(stored.plan).toMatchObject({ replaces: { requestId: id } });
    expect(checkOf(stored)).toBeUndefined();
    await h.click(users.approver, 'approve', { requestId: again.id });
    expect((await h.settle(again.id)).state).toBe('succeeded');
  });
});
