/**
 * CPU per outbound call of this process with the SDK's own Node HTTP client against the pooled
 * client (src/integrations/http/pooled-http-client.ts), for docs/performance.md:
 *
 *   node scripts/run-ts.js bench/tools/http-client-cpu.ts [rounds=30] [calls=1000] [inFlight=16]
 *
 * Two kinds of call, each as acrbot makes them: an ARM call (an SDK pipeline with the shared
 * keep-alive agent carrying a private CA, over HTTPS; a grant flow's mix of 6 GETs and a PUT) and
 * a Bot Connector call (the lean activity calls of a ConnectorClient, a ~3 KB card, over http;
 * reply 1, send 3, update 2). The servers answer from a child process, so only this process's
 * CPU is counted (`process.cpuUsage`). Everything runs inside an `AsyncLocalStorage` context, as
 * acrbot's turns do (its correlation id): on Node 20 that makes every promise cost a hook, and a
 * client that makes more promises pays for it. Each round runs both clients one after the other,
 * in alternating order, `inFlight` calls at a time; the summary gives medians, the median paired
 * difference and in how many pairs the pooled client used less.
 */
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
} from '@azure/core-rest-pipeline';
import { ConnectorClient } from 'botframework-connector';
import { AsyncLocalStorage } from 'node:async_hooks';
import { type ChildProcess, spawn } from 'node:child_process';
import { compatHttpClient } from '../../src/integrations/http/compat-http-client';
import { withLeanConversations } from '../../src/bot/lean-conversations';
import { keepAliveAgent } from '../../src/integrations/azure/arm-connection';
import { PooledHttpClient } from '../../src/integrations/http/pooled-http-client';
import { createSandboxTls } from '../../src/sandbox/tls';
import { grantFlowCalls } from '../lib/outbound-card';
import { type Call, pairedCpu } from '../lib/paired-cpu';

/** An HTTPS server (ARM-like JSON answers) and an http one (connector ids), ports on stdout. */
const SERVERS = `
const https = require('node:https');
const http = require('node:http');
const arm = JSON.stringify({ id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r',
  name: 'r', properties: { loginServer: 'r.azurecr.io', provisioningState: 'Succeeded' } });
const a = https.createServer({ key: process.env.KEY, cert: process.env.CERT }, (req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'x-ms-request-id': 'r' }); res.end(arm); });
});
let n = 0;
const c = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }); res.end(JSON.stringify({ id: 'act-' + ++n })); });
});
a.keepAliveTimeout = c.keepAliveTimeout = 30000;
a.listen(0, '127.0.0.1', () => c.listen(0, '127.0.0.1', () =>
  process.stdout.write(a.address().port + ' ' + c.address().port + '\\n')));
`;

async function startServers(
  key: string,
  cert: string,
): Promise<{ child: ChildProcess; arm: string; connector: string }> {
  const child = spawn(process.execPath, ['-e', SERVERS], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, KEY: key, CERT: cert },
  });
  const ports = await new Promise<string>((resolve) =>
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  const [arm, connector] = ports.split(' ');
  return { child, arm: `https://127.0.0.1:${arm}`, connector: `http://127.0.0.1:${connector}/` };
}

/** Calls at a time (third argument). */
const IN_FLIGHT = Number(process.argv[4] ?? 16);

/** Paired rounds of the Node client's calls and the pooled client's; prints the summary line for `label`. */
async function compare(label: string, node: Call[], pooled: Call[], rounds: number, calls: number): Promise<void> {
  const r = await pairedCpu(node, pooled, { rounds, calls, inFlight: IN_FLIGHT });
  process.stdout.write(
    `${label}: ${rounds} pairs of ${calls} calls: median CPU per call Node client ${r.baseMedian.toFixed(3)} ms, ` +
      `pooled ${r.candidateMedian.toFixed(3)} ms; median paired difference ${r.difference.toFixed(3)} ms ` +
      `(${((r.difference / r.baseMedian) * 100).toFixed(1)} %); pooled used less in ${r.candidateLess} of ${rounds} pairs\n`,
  );
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 30);
  const calls = Number(process.argv[3] ?? 1000);
  const tls = createSandboxTls(['127.0.0.1']);
  const servers = await startServers(tls.keyPem, tls.certPem);
  const pools = new PooledHttpClient(createDefaultHttpClient());

  // ARM: the pipeline the ARM clients build around the shared agent (no token policy: no credential here).
  const agent = keepAliveAgent(tls.caPem);
  const pipeline = createPipelineFromOptions({ agent });
  pipeline.removePolicy({ name: 'tracingPolicy' });
  const armCall =
    (http: HttpClient, method: 'GET' | 'PUT'): Call =>
    () =>
      pipeline.sendRequest(
        http,
        createPipelineRequest({
          url: `${servers.arm}/subscriptions/s/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01`,
          method,
          headers: createHttpHeaders({ accept: 'application/json', 'content-type': 'application/json' }),
          body:
            method === 'PUT' ? JSON.stringify({ properties: { principalId: 'p', roleDefinitionId: 'r' } }) : undefined,
        }),
      );
  const armMix = (http: HttpClient): Call[] => [
    ...Array.from({ length: 6 }, () => armCall(http, 'GET')),
    armCall(http, 'PUT'),
  ];
  await compare('ARM (HTTPS, SDK pipeline)', armMix(createDefaultHttpClient()), armMix(pools), rounds, calls);

  // Bot Connector: the lean activity calls, as acrbot's adapter builds its clients.
  const credentials = { signRequest: async <T>(request: T): Promise<T> => request };
  const nodeConnector = withLeanConversations(new ConnectorClient(credentials, { baseUri: servers.connector }));
  const pooledConnector = withLeanConversations(
    new ConnectorClient(credentials, { baseUri: servers.connector, httpClient: compatHttpClient(pools) }),
  );
  await compare(
    'Bot Connector (http, lean calls)',
    grantFlowCalls(nodeConnector, servers.connector),
    grantFlowCalls(pooledConnector, servers.connector),
    rounds,
    calls,
  );
  await pools.close();
  agent.destroy();
  servers.child.kill();
}

new AsyncLocalStorage<{ correlationId: string }>().run({ correlationId: 'bench' }, main).catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
