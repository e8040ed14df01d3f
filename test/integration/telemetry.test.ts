/**
 * Optional OpenTelemetry export (issue "Ship it"): with APPLICATIONINSIGHTS_CONNECTION_STRING set,
 * the bot sends request telemetry to the ingestion endpoint — here a local HTTPS stand-in —
 * and no secret from config appears in it. The bot runs with a real app identity, so its
 * password is actually sent (to Entra, for the bot token its reply needs; that call fails
 * here, there is no network) and the outgoing call is itself traced.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createSandboxTls } from '../../src/sandbox/tls';
import { CapturingConnector } from '../helpers/capturing-connector';
import { spawnBot } from '../helpers/bot-process';
import { startFakeChannelIssuer } from '../helpers/fake-openid';
import { users } from '../helpers/harness';
import { channelMessage, postActivity } from '../helpers/teams-activities';

const SENTINEL = 'SENTINEL-app-password-9c1e';
const APP_ID = '6a0c1b2d-3e4f-4a5b-8c6d-7e8f9a0b1c2f';
const TENANT_ID = '5b1e2c3d-0000-4000-8000-00000000a0a0';

test('Application Insights export: request telemetry for /api/messages reaches the ingestion endpoint; no secret in it', async () => {
  const tls = createSandboxTls(['127.0.0.1', 'localhost']);
  const received: string[] = [];
  const ingestion: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, errors: [] }));
    });
  });
  await new Promise<void>((r) => ingestion.listen(0, '127.0.0.1', r));
  const connector = new CapturingConnector();
  await connector.start();
  const issuer = await startFakeChannelIssuer();
  const dir = mkdtempSync(join(tmpdir(), 'acrbot-otel-'));
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
    APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=11111111-2222-4333-8444-555555555555;IngestionEndpoint=https://127.0.0.1:${(ingestion.address() as AddressInfo).port}/`,
    APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
  });
  const { child, url } = bot;
  try {
    const token = await issuer.channelToken({ appId: APP_ID, serviceUrl: connector.url });
    const help = channelMessage(users.requester, 'help', { serviceUrl: connector.url, tenantId: TENANT_ID });
    // The reply needs a bot token, fetched with the password; without a network the turn fails (500).
    await postActivity(url, help, { authorization: `Bearer ${token}` });
    // SIGTERM flushes the exporter before the process exits.
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    const all = received.join('\n');
    expect(all).toMatch(/RequestData/);
    expect(all).toContain('/api/messages');
    // The token request that carried the password was traced, and the password is not in it.
    expect(all).toContain('login.microsoftonline.com');
    expect(all).not.toContain(SENTINEL);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await connector.stop();
    await issuer.stop();
    ingestion.closeAllConnections();
    await new Promise((r) => ingestion.close(r));
  }
}, 60_000);
