/**
 * Starts the emulated Azure Resource Manager and Microsoft Graph over HTTPS, seeded with the
 * sandbox world of `fixtures.ts`.
 *
 * ## Trusting the sandbox CA (copy this into the integration code)
 *
 * The Azure SDKs send bearer tokens only over HTTPS, so the emulators use a certificate from a CA
 * minted at start (`tls.ts`). Trust it per client, never process-wide:
 *
 * - **All three Azure SDK clients** (`@azure/core-rest-pipeline` 1.24 pipeline option
 *   `tlsOptions`, which installs the `tlsPolicy`; the Node HTTP client then builds an
 *   `https.Agent` with that `ca`):
 *   ```ts
 *   const options = { endpoint: sandbox.armUrl, tlsOptions: { ca: sandbox.tls.caPem } };
 *   new ContainerServiceClient(credential, subscriptionId, options);            // @azure/arm-containerservice 25.3.0
 *   new ContainerRegistryManagementClient(credential, subscriptionId, options); // @azure/arm-containerregistry 12.0.0
 *   new AuthorizationManagementClient(credential, subscriptionId, { ...options, $host: sandbox.armUrl }); // @azure/arm-authorization 9.0.0: needs $host too
 *   ```
 *   `tlsOptions.ca` *replaces* the default CA list for that client, which is what we want
 *   against an emulator; in Azure mode pass no `tlsOptions`.
 * - **Graph over `fetch`**: Node 20's global `fetch` takes no CA option (undici's dispatcher is
 *   not a dependency here). Use `https.request(url, { ca })` for the few Graph calls, or start
 *   a separate process with `NODE_EXTRA_CA_CERTS=<file with caPem>` (read at process start, so
 *   it cannot help an in-process sandbox).
 * - **Kubeconfigs** from `listClusterUserCredential` carry the CA as
 *   `certificate-authority-data` (default: this sandbox CA; `arm.state.updateCluster` changes it).
 *
 * The credential is {@link Sandbox.credential} (`sandboxCredential`): like Entra, it gives a token
 * for the resource of the scope asked for, and each emulator accepts only its own audience
 * (identity/access-tokens.ts): ARM's, Graph's, and on Entra-enabled clusters the AKS server app's.
 */
import { ArmEmulator } from './arm/arm-emulator';
import { Directory } from './directory';
import type { TokenCredential } from '@azure/core-auth';
import { SANDBOX_BOT_OBJECT_ID, SANDBOX_TENANT_ID } from './fixtures';
import {
  AKS_AAD_SERVER_APP_ID,
  ARM_AUDIENCE,
  audienceAccepted,
  GRAPH_AUDIENCE,
  SERVICE_AUDIENCES,
  sandboxAccessToken,
  sandboxCredential,
  sandboxTokenAudience,
} from './identity/access-tokens';
import { KubernetesEmulator } from './kubernetes';
import { GraphEmulator } from './graph/graph-emulator';
import { OidcIssuer } from './identity/oidc-issuer';
import { startHttpsServer } from './http-util';
import { seedSandbox } from './seed';
import { prepareSandboxTls, sandboxTlsHosts } from './tls';
import { RegistryDataPlane } from './registry/registry-data-plane';

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** Interface to listen on; default `127.0.0.1`. The certificate covers it and `localhost`. */
  host?: string;
  /** Default 0 (a free port). */
  armPort?: number;
  /** Default 0 (a free port). */
  graphPort?: number;
  /** Seed the fixtures' world; default true. */
  seed?: boolean;
  /** Keep request logs; default true. Switch off for long benchmarks. */
  recordRequests?: boolean;
  /** Page size of ARM list operations; default 50. */
  pageSize?: number;
  /**
   * Folder (git-ignored) where the TLS material is cached between starts; without it each
   * process mints its own (see tls.ts).
   */
  tlsCacheDir?: string;
}

/** A running sandbox. */
export interface Sandbox {
  /** The CA to trust (see the file comment). */
  tls: { caPem: string };
  /**
   * An ARM token (audience `https://management.azure.com`), for callers that talk to ARM only.
   * Graph and the clusters refuse it: use {@link Sandbox.credential} or {@link Sandbox.tokens}.
   */
  token: string;
  /** A token for each emulated service's audience. */
  tokens: { arm: string; graph: string; aks: string };
  /** The bot's credential: a token for the resource of the scope asked for (as Entra does). */
  credential: TokenCredential;
  /** ARM base URL, e.g. `https://127.0.0.1:PORT`. */
  armUrl: string;
  /** Graph base URL WITHOUT `/v1.0`, e.g. `https://127.0.0.1:PORT`. */
  graphUrl: string;
  arm: ArmEmulator;
  graph: GraphEmulator;
  /** The OpenID issuer standing in for Entra ID for Teams tab sign-in (keys made at start). */
  identity: OidcIssuer;
  /** Its base URL, e.g. `https://127.0.0.1:PORT` (the issuer is `<url>/<tenant>/v2.0`). */
  identityUrl: string;
  /** The directory shared by Graph and ARM. */
  directory: Directory;
  /** Every registry's data plane (the token endpoint acrbot's pull check asks), reading ARM and the directory. */
  registry: RegistryDataPlane;
  /** Its base URL, e.g. `https://127.0.0.1:PORT`; the `service` parameter names the registry. */
  registryUrl: string;
  /** One Kubernetes API server per seeded cluster, by lowercase cluster name; kubeconfigs from ARM point at them. */
  kubernetes: Record<string, KubernetesEmulator>;
  /** Closes both servers and every open connection. */
  stop(): Promise<void>;
}

/** Starts ARM and Graph emulators on HTTPS and (by default) seeds them. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  const tls = await prepareSandboxTls(sandboxTlsHosts(host), { cacheDir: opts.tlsCacheDir });
  const directory = new Directory(SANDBOX_TENANT_ID);
  const recordRequests = opts.recordRequests ?? true;
  const arm = new ArmEmulator({
    directory,
    recordRequests,
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
  });
  const graph = new GraphEmulator({ directory, recordRequests });
  arm.state.defaultApiServerCaPem = tls.caPem;
  // Signs with the (cached) TLS key: no key generation at start.
  const identityReady = OidcIssuer.create(directory, tls.keyPem);
  if (opts.seed ?? true) seedSandbox(arm, directory);

  const armServer = await startHttpsServer({
    host,
    port: opts.armPort ?? 0,
    certPem: tls.certPem,
    keyPem: tls.keyPem,
    listener: arm.listener,
  });
  let graphServer;
  try {
    graphServer = await startHttpsServer({
      host,
      port: opts.graphPort ?? 0,
      certPem: tls.certPem,
      keyPem: tls.keyPem,
      listener: graph.listener,
    });
  } catch (e) {
    await armServer.close();
    throw e;
  }
  const kubernetes: Record<string, KubernetesEmulator> = {};
  for (const cluster of arm.state.listClusters()) {
    // Read from the cluster's current ARM state at each request, as AKS would: a cluster with local
    // accounts accepts its static kubeconfig token (unless they are disabled); an Entra-enabled one
    // accepts Entra tokens for the AKS server app only, the bot's as the bot's object id. A local-
    // accounts-only cluster accepts no Entra token at all.
    const k8s = new KubernetesEmulator({
      tls,
      clusterName: cluster.name,
      tokens: {},
      authenticate: (token) => {
        const c = arm.state.getCluster(cluster.id);
        if (!c) return undefined;
        if (!c.disableLocalAccounts && token === c.token) return 'clusterUser';
        const audience = sandboxTokenAudience(token);
        if (c.aad && audience !== undefined && audienceAccepted(audience, SERVICE_AUDIENCES.aks))
          return SANDBOX_BOT_OBJECT_ID;
        return undefined;
      },
      namespaces: ['default', 'kube-system', 'kube-public', 'payments'],
    });
    const { url } = await k8s.start(0, host);
    arm.state.updateCluster(cluster.id, { apiServerUrl: url, apiServerCaPem: tls.caPem });
    kubernetes[cluster.name.toLowerCase()] = k8s;
  }
  const identity = await identityReady;
  const identityServer = await startHttpsServer({
    host,
    port: 0,
    certPem: tls.certPem,
    keyPem: tls.keyPem,
    listener: identity.listener,
  });
  identity.baseUrl = identityServer.url;
  const registry = new RegistryDataPlane(arm.state, directory);
  const registryServer = await startHttpsServer({
    host,
    port: 0,
    certPem: tls.certPem,
    keyPem: tls.keyPem,
    listener: registry.listener,
  });
  const servers = [armServer, graphServer, identityServer, registryServer];
  return {
    tls: { caPem: tls.caPem },
    token: sandboxAccessToken(ARM_AUDIENCE),
    tokens: {
      arm: sandboxAccessToken(ARM_AUDIENCE),
      graph: sandboxAccessToken(GRAPH_AUDIENCE),
      aks: sandboxAccessToken(AKS_AAD_SERVER_APP_ID),
    },
    credential: sandboxCredential,
    armUrl: armServer.url,
    graphUrl: graphServer.url,
    arm,
    graph,
    identity,
    identityUrl: identityServer.url,
    directory,
    registry,
    registryUrl: registryServer.url,
    kubernetes,
    stop: async () => {
      await Promise.all([...servers.map((s) => s.close()), ...Object.values(kubernetes).map((k) => k.stop())]);
    },
  };
}
