/**
 * G12 at its source: the error of a credentials answer that came (200) but could not be read
 * carries nothing of that answer anywhere in its cause chain. The SDK's parse error quotes the
 * whole body (the kubeconfig, with its bearer token), so the adapter keeps none of it, rather
 * than leave it to the logger's scrubbing (kube-credentials-unreadable.test.ts checks the log).
 * Real SDK against the sandbox's ARM emulator, the body cut by a pipeline policy on its way back.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.stop());

/** Every error of `err`'s cause chain (own `cause` properties, enumerable or not). */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e !== undefined && e !== null && out.length < 10; e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
}

test('a 200 whose body does not parse: no error in the cause chain holds the kubeconfig', async () => {
  const { conn, reader } = sandboxArm(sandbox);
  const subscriptionId = SANDBOX_CLUSTERS.dev.subscriptionId;
  const cluster = (await reader.listClusters(subscriptionId)).find((c) => c.name === 'aks-dev')!;
  const answered = await reader
    .aksClient(subscriptionId)
    .managedClusters.listClusterUserCredentials(cluster.resourceGroup, cluster.name);
  // The kubeconfig as ARM's JSON body carries it (base64), and as YAML: a static bearer token in it.
  const yaml = Buffer.from(answered.kubeconfigs![0].value!).toString('utf8');
  expect(yaml).toMatch(/token: /);
  const inBody = Buffer.from(yaml).toString('base64');

  const cut: PipelinePolicy = {
    name: 'cut-credentials-answer',
    async sendRequest(request, next) {
      const response = await next(request);
      if (/listClusterUserCredential/i.test(request.url) && response.bodyAsText)
        response.bodyAsText = response.bodyAsText.slice(0, -3);
      return response;
    },
  };
  const client = reader.aksClient(subscriptionId);
  client.pipeline.addPolicy(cut);
  try {
    const kube = new KubePullSecrets((s) => reader.aksClient(s), conn.credential);
    const failure = await kube.access(cluster).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ code: 'cluster.noCredentials' });
    const errors = chain(failure);
    expect(errors.length).toBeGreaterThan(1);
    for (const e of errors) {
      const message = String((e as Error).message);
      expect(message).not.toContain(inBody.slice(0, 40));
      expect(message).not.toContain(inBody.slice(-40));
      expect(message).not.toContain('kubeconfigs');
    }
  } finally {
    client.pipeline.removePolicy({ name: cut.name });
  }
});
