/**
 * A pull secret write whose answer is lost (G13, G14): Kubernetes may have carried it out, so
 * the credential it carries is not deleted. The adapter reads the secret back and takes a write
 * that landed as done; when it cannot tell, the run stays executing and its resume finishes.
 * Real client-node over HTTPS against the Kubernetes emulator.
 */
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { SECRET_WRITE_UNCONFIRMED } from '../../src/domain/secret-ownership';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';
import { type Harness, startHarness, users } from '../helpers/harness';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
/** The Kubernetes call deadline of the bot started by the harness below (each held call lasts as long). */
const KUBE_DEADLINE_MS = 5_000;

describe('the secret write, read back after a lost answer', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.stop());

  async function adapter() {
    const { conn, reader } = sandboxArm(sandbox);
    const kube = new KubePullSecrets((s) => reader.aksClient(s), conn.credential, 5000, 50);
    const cluster = (await reader.listClusters(SANDBOX_CLUSTERS.prod.subscriptionId)).find(
      (c) => c.name === 'aks-prod',
    )!;
    return { kube, access: await kube.access(cluster), emulator: sandbox.kubernetes['aks-prod'] };
  }

  const write = (secretName: string) => ({
    namespace: 'payments',
    secretName,
    dockerConfigJson: JSON.stringify({ auths: { 'contosoacr.azurecr.io': { username: 'u', password: 'p-fresh' } } }),
    labels: { 'acrbot.io/request-id': 'R-AAAAAAAA' },
    annotations: {},
  });

  test('carried out, then a 504: the secret holds exactly what was sent under the label → taken as written', async () => {
    const { kube, access, emulator } = await adapter();
    const input = write('landed-then-504');
    emulator.faults.inject({
      method: 'POST',
      resource: 'secrets',
      status: 504,
      // What the API server did before its answer was lost: the very create acrbot sent.
      meanwhile: () =>
        emulator.seedObject('secrets', {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'kubernetes.io/dockerconfigjson',
          metadata: {
            name: input.secretName,
            namespace: 'payments',
            labels: { ...input.labels, 'app.kubernetes.io/managed-by': 'acrbot' },
          },
          data: { '.dockerconfigjson': Buffer.from(input.dockerConfigJson).toString('base64') },
        }),
    });
    const result = await kube.write(access, input);
    const stored = emulator.getObject('secrets', 'payments', input.secretName) as unknown as {
      metadata: { uid: string };
    };
    expect(result).toEqual({ action: 'created', serviceAccountPatched: false, uid: stored.metadata.uid });
  });

  test('a 504 or a dropped connection with the secret absent: not confirmed, never "nothing was left behind"', async () => {
    const { kube, access, emulator } = await adapter();
    for (const fault of [{ status: 504 }, { drop: true }]) {
      emulator.faults.inject({ method: 'POST', resource: 'secrets', ...fault });
      const err = await kube.write(access, write('never-landed')).then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(err?.code).toBe(SECRET_WRITE_UNCONFIRMED);
      expect(err?.message).not.toMatch(/nothing was left behind/);
    }
  });
});

describe('the service account patch, read back after a lost answer', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.stop());

  const input = (secretName: string) => ({
    namespace: 'payments',
    secretName,
    dockerConfigJson: JSON.stringify({ auths: { 'contosoacr.azurecr.io': { username: 'u', password: 'p' } } }),
    labels: { 'acrbot.io/request-id': 'R-AAAAAAAA' },
    annotations: {},
    serviceAccount: 'default',
  });

  test('carried out, then a 504: the list names the secret now → taken as added (recorded, so revoking removes it); not carried out → not claimed', async () => {
    const { conn, reader } = sandboxArm(sandbox);
    const kube = new KubePullSecrets((s) => reader.aksClient(s), conn.credential, 5000, 50);
    const cluster = (await reader.listClusters(SANDBOX_CLUSTERS.prod.subscriptionId)).find(
      (c) => c.name === 'aks-prod',
    )!;
    const access = await kube.access(cluster);
    const emulator = sandbox.kubernetes['aks-prod'];
    type Account = { metadata: Record<string, unknown>; imagePullSecrets?: { name: string }[] };
    const account = () => emulator.getObject('serviceaccounts', 'payments', 'default') as unknown as Account;
    const entries = () => (account().imagePullSecrets ?? []).map((e) => e.name);
    emulator.faults.inject({
      method: 'PATCH',
      resource: 'serviceaccounts',
      name: 'default',
      status: 504,
      // What the API server did before its answer was lost: the very append acrbot sent.
      meanwhile: () =>
        emulator.seedObject('serviceaccounts', {
          ...account(),
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          imagePullSecrets: [...(account().imagePullSecrets ?? []), { name: 'sa-landed' }],
        } as never),
    });
    const landed = await kube.write(access, input('sa-landed'));
    expect(landed).toMatchObject({ serviceAccountPatched: true });
    expect(landed.serviceAccountFailure).toBeUndefined();
    expect(entries()).toContain('sa-landed');

    emulator.faults.inject({ method: 'PATCH', resource: 'serviceaccounts', name: 'default', status: 504 });
    const lost = await kube.write(access, input('sa-not-landed'));
    expect(lost).toMatchObject({ serviceAccountPatched: false, serviceAccountFailure: { code: 'kubernetes.failed' } });
    expect(entries()).not.toContain('sa-not-landed');
  });
});

describe('a replacing write the API server carries out after the client gave up', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  /** Polls until `condition` holds; the late write is the API server's, with no event to await. */
  async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  test('the credential in the secret is kept, the run resumes, retires the replaced token and says replaced', async () => {
    // The bot's Kubernetes deadline shortened from 30 s, so the late write comes within seconds;
    // still ample for the calls meant to succeed (local emulator).
    h = await startHarness({}, { kubeCallTimeoutMs: KUBE_DEADLINE_MS });
    const k8s = h.app.sandbox!.kubernetes['aks-dev'];
    const tokens = () => h.app.sandbox!.arm.state.listTokens(contosoId).map((t: { name: string }) => t.name);
    const first = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments first one');
    await h.click(users.approver, 'approve', { requestId: first.id });
    expect((await h.settle(first.id)).state).toBe('succeeded');

    const second = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments rotate it');
    // The API server holds the PUT until the client's deadline and carries it out as the client
    // gives up (a held call goes on when its caller's connection closes); the client's read-back
    // of the secret is held past its deadline too, so the client cannot tell whether it landed.
    const put = k8s.faults.hold({ method: 'PUT', resource: 'secrets', name: 'acr-auth' });
    await h.click(users.approver, 'approve', { requestId: second.id });
    await put.arrived;
    k8s.faults.hold({ method: 'GET', resource: 'secrets', name: 'acr-auth' });
    await until(
      async () =>
        (await h.app.audit.forRequest(second.id)).some(
          (e) => e.action === 'kubernetes.write.secret' && e.outcome === 'unconfirmed',
        ),
      'the unconfirmed write',
    );
    await h.app.services.executor.drain();
    expect((await h.app.store.get(second.id))?.state).toBe('executing');
    expect(tokens()).toContain(`acrbot-${second.id.toLowerCase()}`);

    const secret = () =>
      k8s.getObject('secrets', 'payments', 'acr-auth') as unknown as {
        metadata: { labels: Record<string, string> };
        data: Record<string, string>;
      };
    await until(() => secret().metadata.labels['acrbot.io/request-id'] === second.id, 'the late write');
    // The late write holds the new token, which is still there.
    const late = JSON.parse(Buffer.from(secret().data['.dockerconfigjson'], 'base64').toString()).auths[
      'contosoacr.azurecr.io'
    ];
    expect(h.app.sandbox!.arm.state.verifyTokenPassword(contosoId, late.username, late.password)).toBe(true);

    await h.app.services.executor.resumeInterrupted();
    const done = await h.settle(second.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.secret?.action).toBe('replaced');
    expect(tokens()).toEqual([`acrbot-${second.id.toLowerCase()}`]);
    const entry = JSON.parse(Buffer.from(secret().data['.dockerconfigjson'], 'base64').toString()).auths[
      'contosoacr.azurecr.io'
    ];
    expect(h.app.sandbox!.arm.state.verifyTokenPassword(contosoId, entry.username, entry.password)).toBe(true);
  }, 60_000);
});
