/**
 * Child of bench/tools/arm-calls.ts: acrbot's own ARM adapters (from a built `dist/`, so two
 * builds can be compared) make the 7 ARM calls of a grant flow against the sandbox emulators,
 * in bursts of `ARM_CALLS_CONCURRENCY` flows at once, and report this process's CPU per flow.
 * The emulators run in the parent; this process holds only the clients, as acrbot's does in P8
 * (shared keep-alive agent, CA through NODE_EXTRA_CA_CERTS). Imports nothing from src/.
 */
import { randomUUID } from 'node:crypto';
import { Session } from 'node:inspector';
import { readFileSync, writeFileSync } from 'node:fs';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */
interface Target {
  resourceGroup: string;
  name: string;
  kubeletObjectId: string;
}

async function main(): Promise<void> {
  const dist = process.env.ARM_CALLS_DIST!;
  const endpoint = process.env.ARM_CALLS_ENDPOINT!;
  const token = process.env.ARM_CALLS_TOKEN!;
  const subscriptionId = process.env.ARM_CALLS_SUBSCRIPTION!;
  const targets = JSON.parse(readFileSync(process.env.ARM_CALLS_TARGETS!, 'utf8')) as Target[];
  const registry = JSON.parse(process.env.ARM_CALLS_REGISTRY!) as { resourceGroup: string; name: string; id: string };
  const concurrency = Number(process.env.ARM_CALLS_CONCURRENCY ?? 200);
  const bursts = Number(process.env.ARM_CALLS_BURSTS ?? 5);
  const profile = process.env.ARM_CALLS_PROFILE;

  const conn = require(`${dist}/integrations/azure/arm-connection.js`) as any;
  const { ArmResourceReader } = require(`${dist}/integrations/azure/azure-resource-reader.js`) as any;
  const { ArmRoleAssignments } = require(`${dist}/integrations/azure/arm-role-assignments.js`) as any;
  const credential = conn.staticTokenCredential(token);
  // As acrbot builds it with telemetry off (`tracing: false`; a build without the option ignores it).
  // ARM_CALLS_MAX_SOCKETS: another socket bound for the agent (keepAliveAgent's otherwise).
  const maxSockets = Number(process.env.ARM_CALLS_MAX_SOCKETS ?? 0);
  const agent = maxSockets
    ? new (require('node:https') as typeof import('node:https')).Agent({
        keepAlive: true,
        maxSockets,
        maxFreeSockets: maxSockets,
        scheduling: 'lifo',
      })
    : conn.keepAliveAgent();
  const connection = { endpoint, credential, agent, tracing: false };
  const reader = new ArmResourceReader(connection);
  const roles = new ArmRoleAssignments(connection);
  const acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d';

  // ARM_CALLS_VARIANT=raw|pipeline|rlc: the same 7 requests without acrbot's adapters — plain https
  // on the same agent; a bare core-rest-pipeline pipeline (no tracing policy); or the SDKs' lighter
  // layers (the modular clients' REST context `…/api`, the classic client's sendRequest) — to see
  // what each layer costs. ARM_CALLS_MASK picks per call (see below).
  const variant = process.env.ARM_CALLS_VARIANT ?? 'sdk';
  const https = require('node:https') as typeof import('node:https');
  const sub = `/subscriptions/${subscriptionId}`;
  const rest = require(require.resolve('@azure/core-rest-pipeline', { paths: [dist] })) as any;
  const pipeline = rest.createPipelineFromOptions({ agent: connection.agent, retryOptions: { maxRetries: 3 } });
  pipeline.addPolicy(
    rest.bearerTokenAuthenticationPolicy({ credential, scopes: 'https://management.azure.com/.default' }),
  );
  pipeline.removePolicy({ name: 'tracingPolicy' });
  const http = rest.createDefaultHttpClient();
  const aksApi = require(require.resolve('@azure/arm-containerservice/api', { paths: [dist] })) as any;
  const acrApi = require(require.resolve('@azure/arm-containerregistry/api', { paths: [dist] })) as any;
  const aksCtx = aksApi.createContainerService(credential, subscriptionId, { endpoint, agent: connection.agent });
  const acrCtx = acrApi.createContainerRegistryManagement(credential, subscriptionId, {
    endpoint,
    agent: connection.agent,
  });
  const { AuthorizationManagementClient } = require(
    require.resolve('@azure/arm-authorization', { paths: [dist] }),
  ) as any;
  const authClient = new AuthorizationManagementClient(credential, subscriptionId, {
    $host: endpoint,
    endpoint,
    agent: connection.agent,
  });
  // ARM_CALLS_NOTRACE=1: no tracing policy in any pipeline here (for builds without `tracing: false`).
  if (process.env.ARM_CALLS_NOTRACE) {
    for (const pl of [
      aksCtx.pipeline,
      acrCtx.pipeline,
      authClient.pipeline,
      reader.aksClient(subscriptionId).pipeline,
      reader.acrClient(subscriptionId).pipeline,
      roles.client(subscriptionId).pipeline,
    ])
      pl.removePolicy({ name: 'tracingPolicy' });
  }
  // One request shape and one answer check for both pipeline variants.
  const jsonRequest = (url: string, method: string, body?: unknown) =>
    rest.createPipelineRequest({
      url,
      method,
      headers: rest.createHttpHeaders(body ? { 'content-type': 'application/json' } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
  const checkedJson = (r: any): unknown => {
    if (r.status >= 300) throw new Error(`${r.status} ${r.bodyAsText}`);
    return r.parsedBody ?? JSON.parse(r.bodyAsText);
  };
  const call = (method: string, path: string, body?: unknown): Promise<unknown> => {
    const url = `${endpoint}${path}${path.includes('?') ? '&' : '?'}api-version=2024-01-01`;
    if (variant === 'rlc') {
      const pathAndQuery = `${path}${path.includes('?') ? '&' : '?'}api-version=2024-01-01`;
      if (path.includes('Microsoft.Authorization'))
        return authClient.sendRequest(jsonRequest(url, method, body)).then(checkedJson);
      const ctx = path.includes('ContainerService') ? aksCtx : acrCtx;
      return ctx
        .path(pathAndQuery)
        .get({ skipUrlEncoding: true })
        .then((r: any) => {
          if (Number(r.status) >= 300) throw new Error(`${r.status}`);
          return r.body;
        });
    }
    if (variant === 'pipeline') return pipeline.sendRequest(http, jsonRequest(url, method, body)).then(checkedJson);
    return new Promise((resolve, reject) => {
      const data = body ? JSON.stringify(body) : undefined;
      const req = https.request(
        url,
        {
          method,
          agent: connection.agent,
          headers: { authorization: `Bearer ${token}`, ...(data ? { 'content-type': 'application/json' } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            if ((res.statusCode ?? 0) >= 300) reject(new Error(`${res.statusCode} ${text}`));
            else resolve(JSON.parse(text));
          });
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  };
  // ARM_CALLS_MASK: 7 characters, one per call in flow order; 1 = through the SDK client, 0 = `call` above.
  const mask = (process.env.ARM_CALLS_MASK ?? (variant === 'sdk' ? '1111111' : '0000000'))
    .split('')
    .map((c) => c === '1');
  const rawFlow = async (t: Target): Promise<void> => {
    const cl = `${sub}/resourceGroups/${t.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${t.name}`;
    const rid = `${registry.id}/providers/Microsoft.Authorization`;
    await (mask[0] ? reader.getCluster(subscriptionId, t.resourceGroup, t.name) : call('GET', cl));
    await (mask[1]
      ? reader.listRegistries(subscriptionId)
      : call('GET', `${sub}/providers/Microsoft.ContainerRegistry/registries`));
    await (mask[2]
      ? roles.listForPrincipal(registry.id, t.kubeletObjectId)
      : call('GET', `${rid}/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${t.kubeletObjectId}'`)}`));
    await (mask[3] ? roles.canAssignRoles(registry.id) : call('GET', `${rid}/permissions`));
    await Promise.all([
      mask[4] ? reader.getCluster(subscriptionId, t.resourceGroup, t.name) : call('GET', cl),
      mask[5] ? reader.getRegistry(subscriptionId, registry.resourceGroup, registry.name) : call('GET', registry.id),
    ]);
    const name = randomUUID();
    await (mask[6]
      ? roles.create({
          scope: registry.id,
          name,
          roleDefinitionGuid: acrPull,
          principalId: t.kubeletObjectId,
          subscriptionId,
        })
      : call('PUT', `${rid}/roleAssignments/${name}`, {
          properties: {
            roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${acrPull}`,
            principalId: t.kubeletObjectId,
            principalType: 'ServicePrincipal',
          },
        }));
  };
  const flow = async (t: Target): Promise<void> => {
    if (variant !== 'sdk') return rawFlow(t);
    // Plan: cluster, registries, the principal's assignments on the registry, the bot's permissions.
    const cluster = await reader.getCluster(subscriptionId, t.resourceGroup, t.name);
    if (!cluster) throw new Error(`no cluster ${t.name}`);
    await reader.listRegistries(subscriptionId);
    await roles.listForPrincipal(registry.id, t.kubeletObjectId);
    if (!(await roles.canAssignRoles(registry.id))) throw new Error('cannot assign roles');
    // Execution: re-read both, then write.
    await Promise.all([
      reader.getCluster(subscriptionId, t.resourceGroup, t.name),
      reader.getRegistry(subscriptionId, registry.resourceGroup, registry.name),
    ]);
    await roles.create({
      scope: registry.id,
      name: randomUUID(),
      roleDefinitionGuid: acrPull,
      principalId: t.kubeletObjectId,
      subscriptionId,
    });
  };
  let next = 0; // every flow its own cluster: each write is a first grant
  const burst = async (): Promise<number> => {
    const c0 = process.cpuUsage();
    await Promise.all(Array.from({ length: concurrency }, () => flow(targets[next++ % targets.length])));
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000 / concurrency;
  };

  for (let i = 0; i < 4; i++) await burst(); // warm-up: JIT, sockets, clients
  const session = new Session();
  if (profile) {
    session.connect();
    await new Promise<void>((r) => session.post('Profiler.enable', () => session.post('Profiler.start', () => r())));
  }
  const perFlow: number[] = [];
  for (let i = 0; i < bursts; i++) perFlow.push(await burst());
  if (profile) {
    await new Promise<void>((r) =>
      session.post('Profiler.stop', (err, result) => {
        if (!err) writeFileSync(profile, JSON.stringify(result.profile));
        r();
      }),
    );
  }
  process.stdout.write(`${JSON.stringify({ perFlow })}\n`);
  connection.agent.destroy();
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
