/**
 * Optional OpenTelemetry export (issue "Ship it"): with APPLICATIONINSIGHTS_CONNECTION_STRING set,
 * the bot sends request telemetry to the ingestion endpoint — here a local HTTPS stand-in — and
 * no secret appears in it. Each test makes a real secret flow through a traced code path:
 * - the app password: the bot runs with a real app identity, so the password is sent (to Entra,
 *   for the bot token its reply needs; that call fails here, there is no network) and the
 *   outgoing call is itself traced;
 * - an ACR token password: the secret flow generates it over traced ARM calls and writes it
 *   into the cluster, where the test reads it back to look for it in the telemetry;
 * - the storage account key: that flow runs on Azure Tables (Azurite), every request signed
 *   with it, and the table clients' requests are traced as well;
 * - a connection string and a SAS that a span itself records (an exception's message and stack,
 *   a URL): the export scrubs them (scrubbing-span-processor.ts).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SANDBOX_REGISTRIES } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { createSandboxTls } from '../../src/sandbox/tls';
import { type Azurite, DEV_KEY, startAzurite } from '../helpers/azurite';
import { type BotProcess, killAndWait, spawnBot } from '../helpers/bot-process';
import { testWorkDir } from '../helpers/test-work-dir';
import { CapturingConnector, cardText } from '../helpers/capturing-connector';
import { startFakeChannelIssuer } from '../helpers/fake-openid';
import { users } from '../helpers/harness';
import { cardAction, channelMessage, postActivity } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

const SENTINEL = 'SENTINEL-app-password-9c1e';
const APP_ID = '6a0c1b2d-3e4f-4a5b-8c6d-7e8f9a0b1c2f';
const TENANT_ID = '5b1e2c3d-0000-4000-8000-00000000a0a0';
const ROOT = join(__dirname, '..', '..');

/** A local Application Insights ingestion endpoint that keeps every (gunzipped) batch. */
interface Ingestion {
  connectionString: string;
  received: string[];
  stop(): Promise<void>;
}

async function startIngestion(tls: { certPem: string; keyPem: string }): Promise<Ingestion> {
  const received: string[] = [];
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, errors: [] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    connectionString: `InstrumentationKey=11111111-2222-4333-8444-555555555555;IngestionEndpoint=https://127.0.0.1:${port}/`,
    received,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The dependency items (outgoing calls) of every batch. */
function dependencies(batches: string[]): { data?: string; properties?: Record<string, string> }[] {
  return batches
    .flatMap((b) => JSON.parse(b) as { data?: { baseType?: string; baseData?: Record<string, unknown> } }[])
    .filter((item) => item.data?.baseType === 'RemoteDependencyData')
    .map((item) => item.data!.baseData as { data?: string; properties?: Record<string, string> });
}

/** Each test's CA file; removed after the test has killed its bot (its `finally`). */
const tempDirs = new TempDirs();
afterEach(() => tempDirs.removeAll());

/** SIGTERM flushes the exporter before the process exits. */
async function stopAndFlush(bot: BotProcess): Promise<void> {
  const exited = new Promise((r) => bot.child.once('exit', r));
  bot.child.kill('SIGTERM');
  await exited;
}

test('Application Insights export: request telemetry for /api/messages reaches the ingestion endpoint; the app password is not in it', async () => {
  const tls = createSandboxTls(['127.0.0.1', 'localhost']);
  const ingestion = await startIngestion(tls);
  const connector = new CapturingConnector();
  await connector.start();
  const issuer = await startFakeChannelIssuer();
  const dir = tempDirs.make('acrbot-otel-');
  writeFileSync(join(dir, 'ca.pem'), tls.caPem);
  const bot = await spawnBot({
    PATH: process.env.PATH,
    ACRBOT_MODE: 'sandbox',
    ACRBOT_STORAGE: 'memory',
    PORT: '0',
    MicrosoftAppId: APP_ID,
    MicrosoftAppType: 'SingleTenant',
    MicrosoftAppTenantId: TENANT_ID,
    MicrosoftAppPassword: SENTINEL,
    ACRBOT_CHANNEL_OPENID_METADATA_URL: issuer.metadataUrl,
    NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
    APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
    APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    // Every span exported (the distro's default rate-limits traces), so what the test looks for is there.
    OTEL_TRACES_SAMPLER: 'always_on',
  });
  try {
    const token = await issuer.channelToken({ appId: APP_ID, serviceUrl: connector.url });
    const help = channelMessage(users.requester, 'help', { serviceUrl: connector.url, tenantId: TENANT_ID });
    // The reply needs a bot token, fetched with the password; without a network the turn fails (500).
    await postActivity(bot.url, help, { authorization: `Bearer ${token}` });
    await stopAndFlush(bot);
    const all = ingestion.received.join('\n');
    expect(all).toMatch(/RequestData/);
    expect(all).toContain('/api/messages');
    // The token request that carried the password was traced, and the password is not in it.
    expect(all).toContain('login.microsoftonline.com');
    expect(all).not.toContain(SENTINEL);
  } finally {
    await killAndWait(bot.child);
    await connector.stop();
    await issuer.stop();
    await ingestion.stop();
  }
}, 60_000);

test('Application Insights export: the ACR token password the secret flow generates and writes into the cluster, and the key of its Tables store, are not in the telemetry', async () => {
  const sandbox: Sandbox = await startSandbox();
  // On Azure Tables, so the app's table clients are traced too (the composition passes them
  // `tracing` while an exporter runs).
  const azurite: Azurite = await startAzurite();
  const tls = createSandboxTls(['127.0.0.1', 'localhost']);
  const ingestion = await startIngestion(tls);
  const connector = new CapturingConnector();
  await connector.start();
  const dir = tempDirs.make('acrbot-otel-secret-');
  // One file trusts both: the sandbox's emulators and the ingestion stand-in.
  writeFileSync(join(dir, 'ca.pem'), `${sandbox.tls.caPem}\n${tls.caPem}`);
  let bot: BotProcess | undefined;
  try {
    bot = await spawnBot({
      PATH: process.env.PATH,
      ACRBOT_MODE: 'sandbox',
      ACRBOT_STORAGE: `tables:${azurite.connectionString}`,
      ACRBOT_TABLE_PREFIX: azurite.freshPrefix(),
      PORT: '0',
      ACRBOT_ARM_ENDPOINT: sandbox.armUrl,
      ACRBOT_GRAPH_ENDPOINT: sandbox.graphUrl,
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      // Every span exported (the distro's default rate-limits traces), so what the test looks for is there.
      OTEL_TRACES_SAMPLER: 'always_on',
    });
    await postActivity(
      bot.url,
      channelMessage(
        users.requester,
        'secret aks-dev contosoacr --namespace payments --name acr-otel telemetry check',
        {
          serviceUrl: connector.url,
        },
      ),
    );
    const plan = await connector.waitFor((c) => /R-[2-9A-Z]{8}/.test(cardText(c.activity)), 15_000, 'plan card');
    const requestId = /R-[2-9A-HJKMNP-TV-Z]{8}/.exec(cardText(plan.activity))![0];
    await postActivity(bot.url, cardAction(users.approver, 'approve', { requestId }, { serviceUrl: connector.url }));
    await connector.waitFor((c) => /Pull secret created/.test(cardText(c.activity)), 30_000, 'the outcome card');

    const secret = sandbox.kubernetes['aks-dev'].getObject('secrets', 'payments', 'acr-otel') as unknown as {
      data: Record<string, string>;
    };
    const dockerConfigJson = secret.data['.dockerconfigjson'];
    const auth = JSON.parse(Buffer.from(dockerConfigJson, 'base64').toString()).auths[
      SANDBOX_REGISTRIES.contoso.loginServer
    ] as { username: string; password: string; auth: string };
    expect(auth.password.length).toBeGreaterThanOrEqual(20);
    await stopAndFlush(bot);

    const all = ingestion.received.join('\n');
    // The ARM call that returned the password and the Kubernetes write that carried it were traced…
    expect(all).toContain('generateCredentials');
    expect(all).toContain('/api/v1/namespaces/payments/secrets');
    // The Azure SDK pipelines keep their tracing policy while telemetry is on (acrbot drops it only
    // without an exporter, docs/performance.md P8): its spans carry the SDK's client request id
    // (`requestId`), the http instrumentation's do not — for an SDK operation and for a read
    // sent through a client's pipeline alone (arm-rest.ts).
    const sdkSpans = dependencies(ingestion.received).filter((d) => d.properties?.['requestId']);
    expect(sdkSpans.some((d) => d.data?.includes('/generateCredentials?'))).toBe(true);
    expect(sdkSpans.some((d) => d.data?.includes('/managedClusters/aks-dev?'))).toBe(true);
    // The table clients' requests (entity writes and transactions sent through their pipelines).
    const tableHost = new URL(azurite.tableEndpoint).host;
    expect(sdkSpans.some((d) => d.data?.includes(tableHost))).toBe(true);
    // …and the password is in the telemetry in none of its forms.
    for (const form of [auth.password, auth.auth, dockerConfigJson]) expect(all).not.toContain(form);
    // Nor is the storage account's key, or a request's SharedKey signature made with it.
    expect(all).not.toContain(DEV_KEY);
    expect(all).not.toMatch(/SharedKey/i);
  } finally {
    if (bot) await killAndWait(bot.child);
    await connector.stop();
    await ingestion.stop();
    await sandbox.stop();
    await azurite.stop();
  }
}, 90_000);

/**
 * A process that starts telemetry as the bot does and ends one span the way a failed Azure SDK
 * call leaves it: a URL with a SAS, a recorded exception quoting a connection string. Written at test time; run-ts compiles the required src files.
 */
const SPAN_SCRIPT = (secret: string) => `
const { startTelemetry } = require(${JSON.stringify(join(ROOT, 'src', 'observability', 'telemetry.ts'))});
const { trace, SpanKind, SpanStatusCode } = require(${JSON.stringify(require.resolve('@opentelemetry/api'))});
const telemetry = startTelemetry(process.env.APPLICATIONINSIGHTS_CONNECTION_STRING);
const span = trace.getTracer('telemetry-test').startSpan('BlobClient.download', {
  kind: SpanKind.CLIENT,
  attributes: { 'http.request.method': 'GET', 'url.full': 'https://acct.blob.core.windows.net/audit/anchor?sv=2022-11-02&sig=${secret}&sp=r' },
});
span.recordException(new Error('cannot open DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${secret}==;EndpointSuffix=core.windows.net'));
span.setStatus({ code: SpanStatusCode.ERROR });
span.end();
telemetry.shutdown().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
`;

test("Application Insights export: a span's exception and URL are scrubbed of a connection string's key and a SAS signature before they are sent", async () => {
  const secret = 'SENTINELspanSecret7d3a';
  const tls = createSandboxTls(['127.0.0.1', 'localhost']);
  const ingestion = await startIngestion(tls);
  const dir = tempDirs.make('acrbot-otel-span-');
  writeFileSync(join(dir, 'ca.pem'), tls.caPem);
  writeFileSync(join(dir, 'span.js'), SPAN_SCRIPT(secret));
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-ts.js'), join(dir, 'span.js')], {
    cwd: testWorkDir(),
    env: {
      PATH: process.env.PATH,
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      OTEL_TRACES_SAMPLER: 'always_on',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const code = await new Promise((r) => child.once('exit', r));
    expect({ code, output }).toEqual({ code: 0, output: expect.any(String) });
    const items = ingestion.received.flatMap(
      (b) => JSON.parse(b) as { data?: { baseType?: string; baseData?: Record<string, any> } }[],
    );
    const exception = items.find((i) => i.data?.baseType === 'ExceptionData')?.data?.baseData;
    expect(exception?.exceptions[0].message).toBe(
      'cannot open DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[redacted];EndpointSuffix=core.windows.net',
    );
    expect(exception?.exceptions[0].stack).toContain('AccountKey=[redacted];EndpointSuffix');
    const dependency = dependencies(ingestion.received).find((d) => d.data?.includes('acct.blob.core.windows.net'));
    expect(dependency?.data).toContain('sig=[redacted]&sp=r');
    expect(ingestion.received.join('\n')).not.toContain(secret);
  } finally {
    await killAndWait(child);
    await ingestion.stop();
  }
}, 60_000);
