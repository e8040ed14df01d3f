/**
 * G12: the cluster credentials ARM answers (`listClusterUserCredential`, a kubeconfig with a
 * bearer token or a client key) never reach a log line, even when the answer cannot be read.
 * The SDK's error for a 200 whose JSON does not parse (a body cut short by a proxy) quotes the
 * whole body in its message; acrbot keeps only its code and status, and none of the body in any
 * error of the cause chain (rather than leave it to the logger's scrubbing). Real SDK against the
 * sandbox's ARM emulator, the body cut by a pipeline policy on its way back.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { UserFacingError } from '../../src/domain/errors';
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { serializeError } from '../../src/observability/logger';
import { SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

/** Every error of `err`'s cause chain (own `cause` properties, enumerable or not). */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e !== undefined && e !== null && out.length < 10; e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
}

describe('a credentials answer that cannot be read', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.stop());

  /**
   * aks-dev's kubeconfig as ARM's JSON body carries it (base64), then the failure of
   * `KubePullSecrets.access` when that answer comes back cut short (JSON that does not parse).
   */
  async function cutAnswer() {
    const { conn, reader } = sandboxArm(sandbox);
    const subscriptionId = SANDBOX_CLUSTERS.dev.subscriptionId;
    const cluster = (await reader.listClusters(subscriptionId)).find((c) => c.name === 'aks-dev')!;
    // The kubeconfig as ARM hands it out (base64 in the JSON body): a static bearer token in it.
    const answered = await reader
      .aksClient(subscriptionId)
      .managedClusters.listClusterUserCredentials(cluster.resourceGroup, cluster.name);
    const yaml = Buffer.from(answered.kubeconfigs![0].value!).toString('utf8');
    expect(yaml).toMatch(/token: /);
    const encoded = Buffer.from(yaml).toString('base64');

    // The next answer of the call loses its last characters: JSON that does not parse.
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
      return { cluster, encoded, failure };
    } finally {
      client.pipeline.removePolicy({ name: cut.name });
    }
  }

  test('fails as "no credentials" with the SDK code, and nothing of the kubeconfig reaches the logged error', async () => {
    const { cluster, encoded, failure } = await cutAnswer();
    expect(cluster.aadEnabled).toBe(false);
    expect(failure).toBeInstanceOf(UserFacingError);
    expect(failure).toMatchObject({ code: 'cluster.noCredentials' });
    expect((failure as Error).message).toMatch(
      /^Azure did not return credentials for cluster aks-dev \(PARSE_ERROR\); this often passes within a few minutes, and if it keeps failing, the platform team can find the details in acrbot's logs/,
    );
    // What the flow logs (logExplainedFailure): the error with its whole cause chain.
    const logged = JSON.stringify(serializeError(failure));
    expect(logged).toContain('PARSE_ERROR');
    expect(logged).not.toContain(encoded.slice(0, 40));
    expect(logged).not.toContain(encoded.slice(-40));
  });

  test('a 200 whose body does not parse: no error in the cause chain holds the kubeconfig', async () => {
    const { encoded, failure } = await cutAnswer();
    expect(failure).toMatchObject({ code: 'cluster.noCredentials' });
    const errors = chain(failure);
    expect(errors.length).toBeGreaterThan(1);
    for (const e of errors) {
      const message = String((e as Error).message);
      expect(message).not.toContain(encoded.slice(0, 40));
      expect(message).not.toContain(encoded.slice(-40));
      expect(message).not.toContain('kubeconfigs');
    }
  });
});
