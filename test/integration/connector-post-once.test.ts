/**
 * A new activity is posted to the Bot Connector at most once: a POST answered 5xx, cut off or
 * never answered is not sent again (the connector may have posted it: a card would appear
 * twice), and its failure reaches the caller. A 429 (refused unprocessed) is sent again after
 * its Retry-After, or after a backoff when it names none; an update (PUT, idempotent) is also
 * sent again after a 5xx. A wait longer than acrbot waits is not made, for any method. Real HTTP through
 * acrbot's adapter and pooled HTTP client to a local connector stand-in.
 */
import { createDefaultHttpClient, isRestError } from '@azure/core-rest-pipeline';
import type { TurnContext } from 'botbuilder';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONNECTOR_THROTTLE_MAX_WAIT_MS } from '../../src/bot/connector-http-client';
import { createAdapter } from '../../src/bot/create-adapter';
import type { AppConfig } from '../../src/config/config';
import { PooledHttpClient } from '../../src/integrations/http/pooled-http-client';
import { createLogger } from '../../src/observability/logger';
import { inProactiveTurn } from '../helpers/proactive-turn';

/** How the stand-in answers one request. */
type Answer =
  | { status: number; headers?: Record<string, string> }
  /** Post it, then cut the connection before answering. */
  | 'destroy'
  /** Post it and never answer. */
  | 'hang';

/** A Bot Connector stand-in: records each request, answers from a queue, else posts the activity. */
class ConnectorStandIn {
  readonly requests: string[] = [];
  /** Activities the connector posted (or updated), by id. */
  readonly activities = new Map<string, string>();
  readonly answers: Answer[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.requests.push(`${req.method}`);
      const answer = this.answers.shift();
      if (answer === 'hang' || answer === 'destroy') {
        // Posted, then no answer (a hung or dropped connection): the caller cannot know.
        this.post(req, chunks);
        if (answer === 'destroy') req.socket.destroy();
        return;
      }
      if (answer && answer.status >= 500) this.post(req, chunks);
      if (answer) {
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end('{"error":{"code":"ServiceError","message":"try later"}}');
        return;
      }
      const id = this.post(req, chunks);
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id }));
    });
  }

  /** Posts (or updates) the activity as the real connector would, whatever it answers then. */
  private post(req: IncomingMessage, chunks: Buffer[]): string {
    const id =
      req.method === 'PUT' ? decodeURIComponent(req.url!.split('/').pop()!) : `act-${this.activities.size + 1}`;
    this.activities.set(id, (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: string }).text ?? '');
    return id;
  }
}

const config = { mode: 'sandbox', channelAuth: {}, app: { type: 'MultiTenant' } } as unknown as AppConfig;

describe('Bot Connector: a new activity is posted at most once', () => {
  const connector = new ConnectorStandIn();
  /** Answers must come within a second here, so the never-answered POST fails quickly. */
  const pools = new PooledHttpClient(createDefaultHttpClient(), 1000);
  const adapter = createAdapter(config, createLogger({ level: 'silent' }), pools);

  beforeAll(() => connector.start());
  afterAll(async () => {
    await connector.stop();
    await pools.close();
  });
  beforeEach(() => {
    connector.requests.length = 0;
    connector.activities.clear();
    connector.answers.length = 0;
  });

  /** Runs `logic` in a proactive turn in the stand-in's conversation; what it returns or throws. */
  const inTurn = <T>(logic: (ctx: TurnContext) => Promise<T>): Promise<T> =>
    inProactiveTurn(adapter, connector.url, logic);

  const postCard = (ctx: TurnContext) => ctx.sendActivity({ type: 'message', text: 'approval card' });
  /** A Retry-After (seconds) one second longer than acrbot waits. */
  const tooLong = String(CONNECTOR_THROTTLE_MAX_WAIT_MS / 1000 + 1);

  test.each([
    ['answered 502', { status: 502 }, { statusCode: 502 }],
    ['answered 503', { status: 503 }, { statusCode: 503 }],
    ['answered 503 with a Retry-After', { status: 503, headers: { 'retry-after': '0' } }, { statusCode: 503 }],
    ['cut off after it arrived', 'destroy', { code: 'ECONNRESET' }],
    ['never answered', 'hang', { code: 'ETIMEDOUT' }],
  ] as Array<[string, Answer, object]>)(
    'a POST %s is not sent again; its failure surfaces',
    async (_, answer, error) => {
      connector.answers.push(answer);
      const failure = await inTurn(postCard).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isRestError(failure)).toBe(true);
      expect(failure).toMatchObject(error);
      expect(connector.requests).toEqual(['POST']);
      expect([...connector.activities.values()]).toEqual(['approval card']);
    },
  );

  test('a POST throttled with a Retry-After is sent again: two POSTs, one activity', async () => {
    connector.answers.push({ status: 429, headers: { 'retry-after': '0' } });
    const sent = await inTurn(postCard);
    expect(connector.requests).toEqual(['POST', 'POST']);
    expect([...connector.activities]).toEqual([[sent?.id, 'approval card']]);
  });

  test('a POST throttled with no Retry-After is sent again after a backoff (the 429 says it was not taken)', async () => {
    // Teams' rate-limit guidance: back off exponentially on a 429, which need not name a wait.
    connector.answers.push({ status: 429 });
    const sent = await inTurn(postCard);
    expect(connector.requests).toEqual(['POST', 'POST']);
    expect([...connector.activities]).toEqual([[sent?.id, 'approval card']]);
  });

  test('a POST throttled for longer than acrbot waits fails at once as a 429', async () => {
    connector.answers.push({ status: 429, headers: { 'retry-after': tooLong } });
    await expect(inTurn(postCard)).rejects.toMatchObject({ statusCode: 429 });
    expect(connector.requests).toEqual(['POST']);
    expect(connector.activities.size).toBe(0);
  });

  test('an update (PUT) throttled with no Retry-After is sent again and goes through (the copy is not left on its old state)', async () => {
    const id = await inTurn(async (ctx) => {
      const sent = await postCard(ctx);
      connector.answers.push({ status: 429 });
      await ctx.updateActivity({ type: 'message', id: sent?.id, text: 'approved' });
      return sent?.id;
    });
    expect(connector.requests).toEqual(['POST', 'PUT', 'PUT']);
    expect([...connector.activities]).toEqual([[id, 'approved']]);
  });

  test.each([
    ['429', 429],
    ['503', 503],
  ])(
    'an update (PUT) answered %s asking for a longer wait than acrbot waits fails at once (the card queue is not held for it)',
    async (_, status) => {
      const failure = await inTurn(async (ctx) => {
        const sent = await postCard(ctx);
        connector.answers.push({ status, headers: { 'retry-after': tooLong } });
        await ctx.updateActivity({ type: 'message', id: sent?.id, text: 'approved' });
      }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toMatchObject({ statusCode: status });
      expect(connector.requests).toEqual(['POST', 'PUT']);
    },
  );

  test('an update (PUT) answered 503 is sent again and goes through', async () => {
    const id = await inTurn(async (ctx) => {
      const sent = await postCard(ctx);
      connector.answers.push({ status: 503 });
      await ctx.updateActivity({ type: 'message', id: sent?.id, text: 'approved' });
      return sent?.id;
    });
    expect(connector.requests).toEqual(['POST', 'PUT', 'PUT']);
    expect([...connector.activities]).toEqual([[id, 'approved']]);
  });
});
