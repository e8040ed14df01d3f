/**
 * The Kubernetes calls of one cluster access share keep-alive TLS connections (one handshake,
 * not one per call), still verified against the kubeconfig's CA and server name; an idle
 * connection closed by either end is replaced. And a failed credentials read keeps its cause
 * (status, Azure request id) for the log, with no secret in it.
 * Real client-node over HTTPS to a local API server, and the SDK against the sandbox's ARM.
 */
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';
import { isUserFacing, UserFacingError } from '../../src/domain/errors';
import { CloudApiError } from '../../src/domain/ports';
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { createSandboxTls } from '../../src/sandbox/tls';
import { LogCapture } from '../helpers/log-capture';
import { sandboxArm } from '../helpers/sandbox-arm';

const TOKEN = 'kube-token-5d1e0c7a';

/** A Kubernetes API server answering the two reads of a precheck, over TLS for `hosts`. */
class ApiServer {
  /** TLS handshakes the server completed (one per connection). */
  handshakes = 0;
  readonly requests: string[] = [];
  readonly connections = new Set<Socket>();
  /**
   * Answer a 404 with a Content-Length instead of chunked. client-node's node-fetch 2.7 fails a
   * chunked response as "Premature close" when its keep-alive socket has been taken by another
   * call before the response's close event (node-fetch#1767): only calls at once on one access
   * can meet that, which acrbot's flows never make (their calls on an access are sequential).
   */
  lengths = false;
  private readonly server: Server;
  readonly tls;

  constructor(hosts: string[]) {
    this.tls = createSandboxTls(hosts);
    this.server = createServer({ key: this.tls.keyPem, cert: this.tls.certPem }, (req, res) => {
      req.resume();
      this.requests.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        // Not `writeHead(…).end(…)`: restify (loaded by other suites in this process) replaces
        // ServerResponse's writeHead with one that returns nothing.
        res.statusCode = 401;
        res.end('{"kind":"Status","code":401,"reason":"Unauthorized"}');
      } else if (req.url === '/api/v1/namespaces/payments') {
        res.end('{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"payments"},"status":{"phase":"Active"}}');
      } else {
        const body = '{"kind":"Status","code":404,"reason":"NotFound"}';
        if (this.lengths) res.setHeader('content-length', Buffer.byteLength(body));
        res.statusCode = 404;
        res.end(body);
      }
    });
    // The server never closes an idle connection by itself (Node's default does after 5 s): only
    // closeIdle() or the client's own idle timeout ends one.
    this.server.keepAliveTimeout = 0;
    this.server.on('secureConnection', (socket: Socket) => {
      this.handshakes++;
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Closes every connection that carries no request now. */
  closeIdle(): void {
    this.server.closeIdleConnections();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A kubeconfig for `server`, trusting `caPem`, with a bearer token and extra cluster fields. */
function kubeconfig(server: string, caPem: string, cluster: Record<string, string | boolean> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'c',
        cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64'), ...cluster },
      },
    ],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'c',
    users: [{ name: 'u', user: { token: TOKEN } }],
  });
}

function secretsFor(yaml: string, idleSocketMs?: number): KubePullSecrets {
  const aks = {
    managedClusters: {
      listClusterUserCredentials: async () => ({ kubeconfigs: [{ name: 'clusterUser', value: Buffer.from(yaml) }] }),
    },
  } as unknown as ContainerServiceClient;
  // The default call deadline: every call here is meant to succeed, on however loaded a machine.
  return new KubePullSecrets(() => aks, { getToken: async () => null }, undefined, 50, idleSocketMs);
}

const cluster = { subscriptionId: 's', resourceGroup: 'rg', name: 'aks-dev', aadEnabled: false };
const precheck = { namespace: 'payments', secretName: 'acr-pull' };

describe('Kubernetes calls of one access share keep-alive connections', () => {
  // The certificate names only "localhost": the kubeconfig's tls-server-name must be used.
  const api = new ApiServer(['localhost']);
  let server = '';
  /**
   * Client TLS connections opened to the API server (observed: tls.connect still does the work).
   * Only those to its port: `tls` is one module for the whole jest worker, so another test file's
   * late background call (a fetch whose keep-alive outlived its test) must not count here.
   */
  let opened: tls.TLSSocket[] = [];
  let connect: jest.SpiedFunction<typeof tls.connect>;

  beforeAll(async () => {
    server = await api.start();
  });
  /** Whether a tls.connect call (options object, or port first) goes to the API server's port. */
  const toApiServer = (args: unknown[]): boolean => {
    const port = Number(new URL(server).port);
    const [first] = args;
    if (typeof first === 'number') return first === port;
    return Number((first as { port?: unknown } | undefined)?.port) === port;
  };
  afterAll(() => api.stop());
  beforeEach(() => {
    api.handshakes = 0;
    api.requests.length = 0;
    opened = [];
    const original = tls.connect;
    connect = jest.spyOn(tls, 'connect').mockImplementation((...args: Parameters<typeof tls.connect>) => {
      const socket = (original as (...a: unknown[]) => tls.TLSSocket)(...args);
      if (toApiServer(args)) opened.push(socket);
      return socket;
    });
  });
  afterEach(() => {
    connect.mockRestore();
    // No test leaves a connection behind.
    for (const socket of opened) socket.destroy();
  });

  const closed = (socket: Socket) =>
    new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

  test('ten calls: one connection, one TLS handshake; after the server closes it, one more', async () => {
    const kube = secretsFor(kubeconfig(server, api.tls.caPem, { 'tls-server-name': 'localhost' }));
    const access = await kube.access(cluster);
    for (let i = 0; i < 5; i++) await expect(kube.precheck(access, precheck)).resolves.toEqual({});
    expect(api.requests).toHaveLength(10);
    expect(api.handshakes).toBe(1);
    expect(opened).toHaveLength(1);

    // The API server drops the idle connection; the client sees it go, and connects anew.
    api.closeIdle();
    await closed(opened[0]);
    for (let i = 0; i < 5; i++) await expect(kube.precheck(access, precheck)).resolves.toEqual({});
    expect(api.requests).toHaveLength(20);
    expect(api.handshakes).toBe(2);
    expect(opened).toHaveLength(2);
  });

  test('calls at once share at most a bounded number of connections', async () => {
    api.lengths = true;
    const kube = secretsFor(kubeconfig(server, api.tls.caPem, { 'tls-server-name': 'localhost' }));
    const access = await kube.access(cluster);
    await Promise.all(Array.from({ length: 40 }, () => kube.precheck(access, precheck)));
    expect(api.requests).toHaveLength(80);
    expect(api.handshakes).toBeLessThanOrEqual(16);
    api.lengths = false;
  });

  test('an idle connection is closed by acrbot itself after the idle time', async () => {
    const kube = secretsFor(kubeconfig(server, api.tls.caPem, { 'tls-server-name': 'localhost' }), 200);
    const access = await kube.access(cluster);
    await kube.precheck(access, precheck);
    // One connection, unless the machine paused longer than the idle time between the
    // precheck's two requests (then each had its own): counted, not assumed.
    const first = opened.length;
    expect(api.handshakes).toBe(first);
    // Nobody touches the server: the client's own idle timeout ends the connections.
    await Promise.all(opened.map(closed));
    expect(api.connections.size).toBe(0);
    await expect(kube.precheck(access, precheck)).resolves.toEqual({});
    expect(api.handshakes).toBeGreaterThan(first);
  });

  test.each([
    ['a certificate for another name (no tls-server-name)', () => kubeconfig(server, api.tls.caPem)],
    [
      'a CA that did not sign the certificate',
      () => kubeconfig(server, createSandboxTls(['other.invalid']).caPem, { 'tls-server-name': 'localhost' }),
    ],
  ])('the connection is still verified: %s fails the call', async (_, yaml) => {
    const kube = secretsFor(yaml());
    const access = await kube.access(cluster);
    const failure = await kube.precheck(access, precheck).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(UserFacingError);
    expect(api.requests).toEqual([]);
  });

  test.each([
    ['insecure-skip-tls-verify', { 'insecure-skip-tls-verify': true }, 'insecure-skip-tls-verify'],
    ['a proxy', { 'proxy-url': 'http://127.0.0.1:1' }, 'proxy-url'],
    ['a CA file', { 'certificate-authority': '/etc/hostname' }, 'files on acrbot’s machine'],
  ] as Array<[string, Record<string, string | boolean>, string]>)(
    'a kubeconfig asking for %s is refused before any call',
    async (_, extra, named) => {
      const err = await secretsFor(kubeconfig(server, api.tls.caPem, extra))
        .access(cluster)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toMatchObject({ code: 'cluster.badKubeconfig', message: expect.stringContaining(named) });
      expect(api.requests).toEqual([]);
      expect(opened).toEqual([]);
    },
  );

  test('plain http is refused', async () => {
    await expect(secretsFor(kubeconfig('http://127.0.0.1:1', api.tls.caPem)).access(cluster)).rejects.toMatchObject({
      code: 'cluster.badKubeconfig',
      message: expect.stringContaining('not https'),
    });
  });
});

describe('a failed credentials read keeps its cause', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.stop());

  test.each([
    [403, 'AuthorizationFailed', 'may not read the credentials of cluster aks-prod'],
    [400, 'BadRequest', 'Azure did not return credentials for cluster aks-prod (BadRequest)'],
  ])('answered %i: status, code and Azure request id reach the log; no token', async (status, code, sentence) => {
    const { conn, reader } = sandboxArm(sandbox);
    const kube = new KubePullSecrets((s) => reader.aksClient(s), conn.credential);
    const target = (await reader.listClusters(SANDBOX_CLUSTERS.prod.subscriptionId)).find(
      (c) => c.name === 'aks-prod',
    )!;
    const before = sandbox.arm.requests.length;
    sandbox.arm.faults.add({ operation: 'managedClusters.listClusterUserCredential', status, code });
    const err = await kube.access(target).then(
      () => undefined,
      (e: unknown) => e,
    );
    const answered = sandbox.arm.requests
      .slice(before)
      .filter((r) => r.operation === 'managedClusters.listClusterUserCredential');
    expect(answered.map((r) => r.status)).toEqual([status]);
    expect(isUserFacing(err)).toBe(true);
    expect(err).toMatchObject({ code: 'cluster.noCredentials', message: expect.stringContaining(sentence) });
    const cause = (err as Error).cause;
    expect(cause).toBeInstanceOf(CloudApiError);
    expect(cause).toMatchObject({ statusCode: status, code, requestId: answered[0].requestId });

    const logs = new LogCapture();
    logs.logger().error({ err }, 'secret flow failed');
    const line = logs.lines.join('');
    expect(logs.entries()[0]).toMatchObject({
      err: { cause: { type: 'CloudApiError', statusCode: status, code, requestId: answered[0].requestId } },
    });
    // The SDK's error with it, for its stack and details.
    expect(line).toContain('"type":"RestError"');
    const token = (await conn.credential.getToken('https://management.azure.com/.default'))!.token;
    expect(line).not.toContain(token);
    expect(line).not.toMatch(/bearer/i);
    expect(line).not.toContain('kubeconfig');
  });
});
