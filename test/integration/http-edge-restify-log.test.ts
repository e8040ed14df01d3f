/**
 * restify's own log lines go through acrbot's logger (redacting, at LOG_LEVEL), and the answers
 * of `/api/messages` do not depend on the caller's Accept header. Before, restify made its own
 * pino logger: a 401 to a caller accepting only image/png went out with an empty body, and
 * restify logged "error retrieving formatter" with the raw request, its Authorization header
 * included. Run as a process so every byte it writes to stdout and stderr is seen.
 */
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { type BotProcess, killAndWait, spawnBot } from '../helpers/bot-process';
import { type FakeChannelIssuer, startFakeChannelIssuer } from '../helpers/fake-openid';

const SENTINEL = 'SENTINEL-token-7f3a9c0e-never-logged';

describe('/api/messages: restify logs through acrbot, answers are readable whatever Accept says', () => {
  let issuer: FakeChannelIssuer;
  let bot: BotProcess;
  let output = '';

  beforeAll(async () => {
    issuer = await startFakeChannelIssuer();
    bot = await spawnBot({
      PATH: process.env.PATH,
      ACRBOT_MODE: 'sandbox',
      ACRBOT_STORAGE: 'memory',
      PORT: '0',
      LOG_LEVEL: 'debug',
      MicrosoftAppId: '6a0c1b2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: SANDBOX_TENANT_ID,
      MicrosoftAppPassword: 'dummy-not-a-secret',
      ACRBOT_CHANNEL_OPENID_METADATA_URL: issuer.metadataUrl,
    });
    bot.child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    bot.child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  });
  afterAll(async () => {
    if (bot) await killAndWait(bot.child);
    await issuer?.stop();
  });

  test('a refused token with Accept: image/png: 401 with its reason, and the token in no log line', async () => {
    const res = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'image/png', authorization: `Bearer ${SENTINEL}` },
      body: JSON.stringify({ type: 'message', id: 'edge-1', serviceUrl: 'https://smba.example/', text: 'help' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(await res.text())).toMatch(/No valid identity/);

    // Every line the process wrote is in `output` once it has exited (SIGTERM: a graceful stop
    // that flushes the log).
    const exited = new Promise<number | null>((resolve) => bot.child.once('exit', (code) => resolve(code)));
    bot.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('Bot Framework request refused');
    expect(output).not.toContain(SENTINEL);
    expect(output).not.toContain('error retrieving formatter');
  });
});
