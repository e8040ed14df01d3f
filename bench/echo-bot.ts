/**
 * The baseline: a bare botbuilder echo bot on exactly acrbot's HTTP stack (restify 11 with the
 * same server options and body parser, CloudAdapter with ConfigurationBotFrameworkAuthentication
 * and an empty app id, as in sandbox mode). Whatever acrbot costs above this is acrbot's own.
 *
 * Run directly (`node bench/.build/bench/echo-bot.js`, PORT from the environment) it serves
 * `/api/messages`, `/healthz` and `/readyz` on 127.0.0.1 like `node dist/index.js` does.
 */
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import restify from 'restify';

/** A running echo bot. */
export interface EchoBot {
  url: string;
  stop(): Promise<void>;
}

/**
 * Replies "echo: <text>" to every message, or, given a card, that Adaptive Card (a variant
 * that separates the cost of sending a card from the cost of acrbot's own logic).
 */
class Echo extends ActivityHandler {
  constructor(card?: Record<string, unknown>) {
    super();
    this.onMessage(async (ctx, next) => {
      if (card)
        await ctx.sendActivity({
          type: 'message',
          attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }],
        });
      else await ctx.sendActivity(`echo: ${ctx.activity.text ?? ''}`);
      await next();
    });
  }
}

/** Starts the echo bot on `port` (0 = a free one); `card` makes it answer with that card. */
export async function startEchoBot(port = 0, card?: Record<string, unknown>): Promise<EchoBot> {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: '',
    MicrosoftAppPassword: '',
    MicrosoftAppType: 'MultiTenant',
    MicrosoftAppTenantId: '',
  } as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new CloudAdapter(auth);
  const bot = new Echo(card);
  // Same options as acrbot's src/http/server.ts, so the HTTP stack costs the same.
  const server = restify.createServer({ name: 'echo', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));
  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    await adapter.process(req, res, (ctx) => bot.run(ctx));
  });
  server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
    res.send(200, { status: 'ok' });
  });
  server.get('/readyz', async (_req: restify.Request, res: restify.Response) => {
    res.send(200, { status: 'ready' });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections();
      await closed;
    },
  };
}

if (require.main === module) {
  // ECHO_CARD_FILE: answer every message with this Adaptive Card JSON instead of text.
  const card = process.env.ECHO_CARD_FILE
    ? (JSON.parse(readFileSync(process.env.ECHO_CARD_FILE, 'utf8')) as Record<string, unknown>)
    : undefined;
  void startEchoBot(Number(process.env.PORT ?? 3979), card).then((bot) => {
    process.stdout.write(`echo bot listening on ${bot.url}/api/messages\n`);
    const stop = () => void bot.stop().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
