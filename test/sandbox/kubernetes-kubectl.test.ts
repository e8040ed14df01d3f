/**
 * A real kubectl against the Kubernetes emulator: discovery, `get -o json`, server-side
 * tables, `create secret docker-registry` and `patch serviceaccount` all have to work as on a
 * cluster. Skipped (with the reason in the suite name) when no kubectl is on PATH; set
 * KUBECTL=/path/to/kubectl to use a specific binary. Debian's `kubernetes-client` package
 * provides one (`apt-get install -y kubernetes-client`).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubernetesEmulator } from '../../src/sandbox/kubernetes';
import { createSandboxTls } from '../../src/sandbox/tls';

function findKubectl(): string | undefined {
  if (process.env.KUBECTL) return process.env.KUBECTL;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const KUBECTL = findKubectl();
const suite = KUBECTL ? describe : describe.skip;
const TOKEN = 'tok-kubectl';
if (!KUBECTL)
  console.warn(
    'kubernetes-kubectl.test.ts skipped: no kubectl on PATH (apt-get install -y kubernetes-client, or set KUBECTL=/path/to/kubectl)',
  );

suite(
  KUBECTL
    ? `kubectl (${KUBECTL})`
    : 'kubectl — SKIPPED: kubectl not on PATH (apt-get install -y kubernetes-client, or set KUBECTL)',
  () => {
    let k8s: KubernetesEmulator;
    let dir: string;
    let kubeconfigPath: string;

    /** Runs kubectl asynchronously: the emulator shares this event loop, so a sync exec would deadlock. */
    function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      return new Promise((resolve) => {
        execFile(
          KUBECTL as string,
          ['--kubeconfig', kubeconfigPath, '--request-timeout=10s', ...args],
          // A private HOME and cache dir: no user config, no stale discovery cache between runs.
          {
            env: { ...process.env, HOME: dir, KUBECACHEDIR: join(dir, 'cache'), KUBECONFIG: '' },
            encoding: 'utf8',
            timeout: 30_000,
          },
          (err, stdout, stderr) =>
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
        );
      });
    }

    beforeAll(async () => {
      k8s = new KubernetesEmulator({
        tls: createSandboxTls(),
        tokens: { [TOKEN]: 'kubectl-user' },
        clusterName: 'aks-dev',
      });
      await k8s.start();
      dir = mkdtempSync(join(tmpdir(), 'acrbot-kubectl-'));
      kubeconfigPath = join(dir, 'kubeconfig');
      writeFileSync(kubeconfigPath, k8s.kubeconfig({ token: TOKEN }), { mode: 0o600 });
    });

    afterAll(async () => {
      try {
        await k8s.stop();
      } finally {
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    });

    afterEach(() => k8s.rbac.reset());

    test('kubectl get secret acr-auth -n default -o json returns the secret the API created', async () => {
      const kc = new KubeConfig();
      kc.loadFromString(k8s.kubeconfig({ token: TOKEN }));
      const config = JSON.stringify({
        auths: {
          'contosoacr.azurecr.io': {
            username: 'app-id',
            password: 'pw',
            auth: Buffer.from('app-id:pw').toString('base64'),
          },
        },
      });
      await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
        namespace: 'default',
        body: {
          type: 'kubernetes.io/dockerconfigjson',
          metadata: { name: 'acr-auth' },
          data: { '.dockerconfigjson': Buffer.from(config).toString('base64') },
        },
      });

      const r = await kubectl('get', 'secret', 'acr-auth', '-n', 'default', '-o', 'json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const got = JSON.parse(r.stdout);
      expect(got).toMatchObject({
        kind: 'Secret',
        apiVersion: 'v1',
        type: 'kubernetes.io/dockerconfigjson',
        metadata: { name: 'acr-auth', namespace: 'default' },
      });
      expect(Buffer.from(got.data['.dockerconfigjson'], 'base64').toString()).toBe(config);
    });

    test('kubectl get prints the server-side table', async () => {
      const r = await kubectl('get', 'secrets', '-n', 'default');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE\n/);
      expect(r.stdout).toMatch(/acr-auth\s+kubernetes\.io\/dockerconfigjson\s+1\s+\d+s/);
    });

    test('a secret made by kubectl create secret docker-registry has the CONTRACTS shape and reads back through client-node', async () => {
      const dry = await kubectl(
        'create',
        'secret',
        'docker-registry',
        'acr-pull',
        '--docker-server=contosoacr.azurecr.io',
        '--docker-username=tok',
        '--docker-password=s3',
        '--dry-run=client',
        '-o',
        'json',
      );
      expect(dry.code).toBe(0);
      const built = JSON.parse(dry.stdout);
      const inner = Buffer.from(built.data['.dockerconfigjson'], 'base64').toString();
      // Field order and omitted email exactly as CONTRACTS §5 describes.
      expect(inner).toBe(
        `{"auths":{"contosoacr.azurecr.io":{"username":"tok","password":"s3","auth":"${Buffer.from('tok:s3').toString('base64')}"}}}`,
      );

      const created = await kubectl(
        'create',
        'secret',
        'docker-registry',
        'acr-pull',
        '-n',
        'default',
        '--docker-server=contosoacr.azurecr.io',
        '--docker-username=tok',
        '--docker-password=s3',
      );
      expect(created.stderr).toBe('');
      expect(created.stdout.trim()).toBe('secret/acr-pull created');
      const stored = k8s.getObject('secrets', 'default', 'acr-pull');
      expect(stored?.type).toBe('kubernetes.io/dockerconfigjson');
      expect(Buffer.from((stored?.data as Record<string, string>)['.dockerconfigjson'], 'base64').toString()).toBe(
        inner,
      );
    });

    test('kubectl patch serviceaccount replaces imagePullSecrets (strategic merge: the list is atomic on a ServiceAccount, kubernetes/kubernetes#72475)', async () => {
      await kubectl(
        'patch',
        'serviceaccount',
        'default',
        '-n',
        'default',
        '-p',
        '{"imagePullSecrets":[{"name":"first"}]}',
      );
      const r = await kubectl(
        'patch',
        'serviceaccount',
        'default',
        '-n',
        'default',
        '-p',
        '{"imagePullSecrets":[{"name":"acr-pull"}]}',
      );
      expect(r.stdout.trim()).toBe('serviceaccount/default patched');
      expect(k8s.getObject('serviceaccounts', 'default', 'default')?.imagePullSecrets).toEqual([{ name: 'acr-pull' }]);
      expect(k8s.requests.filter((q) => q.method === 'PATCH').at(-1)?.contentType).toBe(
        'application/strategic-merge-patch+json',
      );
    });

    test('errors read as on a real cluster', async () => {
      const missing = await kubectl('get', 'secret', 'nope', '-n', 'default');
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain('Error from server (NotFound): secrets "nope" not found');

      k8s.rbac.deny({ user: 'kubectl-user', namespace: 'default', resource: 'secrets', verb: 'get' });
      const denied = await kubectl('get', 'secret', 'acr-auth', '-n', 'default', '-o', 'json');
      expect(denied.stderr).toContain(
        'Error from server (Forbidden): secrets "acr-auth" is forbidden: User "kubectl-user" cannot get resource "secrets" in API group "" in the namespace "default"',
      );
    });
  },
);
