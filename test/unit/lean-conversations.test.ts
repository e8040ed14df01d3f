/**
 * The lean Bot Connector calls (src/bot/lean-conversations.ts) against the SDK's own, on the
 * wire: a real HTTP server records what each path sends, and both must send the same requests
 * (method, URL, headers, body bytes), return the same values and throw the same errors.
 */
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import { createDefaultHttpClient, type HttpClient } from '@azure/core-rest-pipeline';
import { ConnectorClient } from 'botframework-connector';
import type { ConversationAccount } from 'botframework-schema';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { compatHttpClient } from '../../src/integrations/http/compat-http-client';
import { createAdapter } from '../../src/bot/create-adapter';
import { withLeanConversations } from '../../src/bot/lean-conversations';
import { cardActivity } from '../../src/bot/turn-cards';
import type { AppConfig } from '../../src/config/config';
import { PooledHttpClient } from '../../src/integrations/http/pooled-http-client';
import { createLogger } from '../../src/observability/logger';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A Bot Connector stand-in that records raw requests and answers from a queue (else 200 with an id). */
class RecordingConnector {
  readonly seen: Seen[] = [];
  readonly answers: Answer[] = [];
  private server?: Server;
  private ids = 0;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const answer = this.answers.shift() ?? { status: 200, body: { id: `act-${++this.ids}` } };
        res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Takes what was recorded since the last call, and numbers the next answers from 1 again. */
  take(): Seen[] {
    this.ids = 0;
    return this.seen.splice(0);
  }
}

/** A request as compared: everything but the per-request random id. */
function wire(s: Seen) {
  const { 'x-ms-client-request-id': requestId, ...headers } = s.headers;
  expect(requestId).toBeTruthy();
  return { method: s.method, url: s.url, headers, body: s.body };
}

/** Credentials as the SDK's pipeline uses them: the sign-request policy calls signRequest per request. */
const credentials = {
  async signRequest<T extends { headers: { set(name: string, value: string): void } }>(request: T): Promise<T> {
    request.headers.set('authorization', 'Bearer test-token');
    return request;
  },
};

const card = JSON.parse(readFileSync(join(__dirname, '../../cards/request.json'), 'utf8')) as Record<string, unknown>;

const conversation: ConversationAccount = {
  name: '',
  id: '19:abc@thread.tacv2;messageid=1700000000000',
  isGroup: true,
  conversationType: 'channel',
  tenantId: 'tenant-1',
};

/** A card reply as TurnContext builds it, plus what the mapper must drop, keep or convert. */
function cardReply(): Record<string, unknown> {
  return {
    ...cardActivity(card),
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    from: { id: '28:bot', name: 'acrbot', extra: 'dropped' },
    recipient: { id: '29:user', name: 'Ada', aadObjectId: '00000000-0000-0000-0000-000000000001' },
    conversation,
    replyToId: '1700000000000',
    locale: 'en-US',
    entities: [
      { type: 'mention', text: '<at>Ada</at>', mentioned: { id: '29:user', name: 'Ada' }, notInMapper: 1 },
      { type: 'clientInfo', locale: 'en-US', country: 'DE' },
    ],
    channelData: { tenant: { id: 'tenant-1' }, nested: { undefinedInside: undefined, nullInside: null } },
    timestamp: new Date('2026-11-30T10:00:00.123Z'),
    localTimestamp: '2026-11-30T11:00:00+01:00',
    text: undefined,
    value: null,
    unknownTopLevel: 'dropped',
    attachmentLayout: 'list',
  };
}

describe('lean Bot Connector calls', () => {
  const connector = new RecordingConnector();
  let sdk: ConnectorClient;
  let lean: ConnectorClient;
  /** The lean calls over the pooled HTTP client, as acrbot's adapter makes them. */
  let pooled: ConnectorClient;
  const pools = new PooledHttpClient(createDefaultHttpClient());
  /** Told if this SDK's calls could not be prepared (the first client prepares them). */
  const fellBack = jest.fn();

  beforeAll(async () => {
    await connector.start();
    sdk = new ConnectorClient(credentials, { baseUri: connector.url });
    lean = withLeanConversations(new ConnectorClient(credentials, { baseUri: connector.url }), fellBack);
    pooled = withLeanConversations(
      new ConnectorClient(credentials, { baseUri: connector.url, httpClient: compatHttpClient(pools) }),
    );
  });
  afterAll(async () => {
    await pools.close();
    await connector.stop();
  });
  beforeEach(() => {
    connector.take();
    connector.answers.length = 0;
  });

  test('are installed with this SDK', () => {
    expect(fellBack).not.toHaveBeenCalled();
    for (const op of ['replyToActivity', 'sendToConversation', 'updateActivity'])
      expect(Object.prototype.hasOwnProperty.call(lean.conversations, op)).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(sdk.conversations, 'replyToActivity')).toBe(false);
  });

  /** Runs `call` on the SDK's client, then on the lean one; returns both outcomes and requests. */
  async function both(
    call: (c: ConnectorClient) => Promise<unknown>,
    answers: Answer[] = [],
    clients: [ConnectorClient, ConnectorClient] = [sdk, lean],
  ) {
    const run = async (c: ConnectorClient) => {
      connector.answers.push(...answers.map((a) => ({ ...a })));
      const outcome = await call(c).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      return { outcome, requests: connector.take() };
    };
    const a = await run(clients[0]);
    const b = await run(clients[1]);
    expect(b.requests.map(wire)).toEqual(a.requests.map(wire));
    return { sdk: a, lean: b };
  }

  /** A result as callers see it: its own properties and the raw response's status and body. */
  function result(value: unknown) {
    const r = value as {
      _response?: { status: number; bodyAsText?: string; parsedBody?: unknown; request?: { url: string } };
    };
    return {
      ...r,
      status: r._response?.status,
      bodyAsText: r._response?.bodyAsText,
      parsed: r._response?.parsedBody,
      // The URL as the pipeline saw it (its policies, logs and traces), before Node's HTTP client.
      url: r._response?.request?.url,
    };
  }

  test('a card reply: same request, same ResourceResponse', async () => {
    const { sdk: a, lean: b } = await both((c) =>
      c.conversations.replyToActivity(conversation.id, '1700000000000', cardReply()),
    );
    expect(a.requests).toHaveLength(1);
    const [req] = b.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`/v3/conversations/${encodeURIComponent(conversation.id)}/activities/1700000000000`);
    expect(req.headers['x-ms-conversation-id']).toBe(conversation.id);
    expect(req.headers.authorization).toBe('Bearer test-token');
    // What the mapper does, visible in the body both paths sent.
    const body = JSON.parse(req.body);
    expect(body).not.toHaveProperty('unknownTopLevel');
    expect(body).not.toHaveProperty('text');
    expect(body.value).toBeNull();
    expect(body.from).toEqual({ id: '28:bot', name: 'acrbot' });
    expect(body.entities[0]).toEqual({
      type: 'mention',
      text: '<at>Ada</at>',
      mentioned: { id: '29:user', name: 'Ada' },
    });
    expect(body.localTimestamp).toBe('2026-11-30T10:00:00.000Z');
    expect(body.attachments[0].content).toEqual(card);
    expect(req.body.length).toBeGreaterThan(2000);
    expect(a.outcome).toHaveProperty('value');
    expect(result((b.outcome as { value: unknown }).value)).toEqual(result((a.outcome as { value: unknown }).value));
    expect((b.outcome as { value: { id: string } }).value.id).toMatch(/^act-/);
  });

  test('a card update, a typing indicator and a proactive send: same requests and results', async () => {
    const calls: Array<(c: ConnectorClient) => Promise<unknown>> = [
      (c) => c.conversations.updateActivity(conversation.id, 'act-7', { ...cardReply(), id: 'act-7' }),
      (c) =>
        c.conversations.replyToActivity(conversation.id, '1700000000000', {
          type: 'typing',
          conversation,
          from: { id: '28:bot', name: 'acrbot' },
          replyToId: '1700000000000',
        }),
      (c) =>
        c.conversations.sendToConversation('19:approvals@thread.tacv2', {
          type: 'message',
          text: '<at>Ada</at>, R-7K2M9QXA was approved.',
          entities: [{ type: 'mention', text: '<at>Ada</at>', mentioned: { id: '29:user', name: 'Ada' } }],
          conversation: { ...conversation, id: '19:approvals@thread.tacv2' },
        }),
    ];
    for (const call of calls) {
      const { sdk: a, lean: b } = await both(call);
      expect(b.requests).toHaveLength(1);
      expect(result((b.outcome as { value: unknown }).value)).toEqual(result((a.outcome as { value: unknown }).value));
    }
  });

  /** An error as callers and the logs see it. */
  function failure(outcome: unknown) {
    const e = (outcome as { error: Record<string, any> }).error;
    expect(e).toBeDefined();
    return {
      name: e.name,
      message: e.message,
      code: e.code,
      statusCode: e.statusCode,
      details: e.details,
      status: e.response?.status,
      bodyAsText: e.response?.bodyAsText,
      parsedBody: e.response?.parsedBody,
    };
  }

  test.each([
    [403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.'],
    [404, 'ConversationNotFound', 'Conversation not found.'],
    [400, 'BadArgument', 'Activity is too big.'],
    [501, 'ServiceError', 'Not implemented.'],
  ])('HTTP %i: the same RestError (status, code, parsed body)', async (status, code, message) => {
    const { sdk: a, lean: b } = await both(
      (c) => c.conversations.replyToActivity(conversation.id, '1700000000000', cardReply()),
      [{ status, body: { error: { code, message } } }],
    );
    expect(failure(b.outcome)).toEqual(failure(a.outcome));
    expect(failure(b.outcome)).toMatchObject({ name: 'RestError', statusCode: status, code });
  });

  test('over the pooled HTTP client: the same requests, ResourceResponse, RestError and retries', async () => {
    const reply = (c: ConnectorClient) =>
      c.conversations.replyToActivity(conversation.id, '1700000000000', cardReply());
    const ok = await both(reply, [], [sdk, pooled]);
    expect(result((ok.lean.outcome as { value: unknown }).value)).toEqual(
      result((ok.sdk.outcome as { value: unknown }).value),
    );
    expect((ok.lean.outcome as { value: { id?: string } }).value.id).toBe('act-1');
    // An error answer: the operation's spec still reaches core-client, which builds the same RestError.
    const refused = [
      { status: 403, body: { error: { code: 'BotNotInConversationRoster', message: 'not in roster' } } },
    ];
    const bad = await both(reply, refused, [sdk, pooled]);
    expect(failure(bad.lean.outcome)).toEqual(failure(bad.sdk.outcome));
    expect(failure(bad.lean.outcome)).toMatchObject({
      name: 'RestError',
      statusCode: 403,
      code: 'BotNotInConversationRoster',
    });
    const busy = [
      { status: 429, headers: { 'retry-after': '0' }, body: { error: { code: 'Throttled', message: 'slow' } } },
    ];
    const retried = await both(reply, busy, [sdk, pooled]);
    expect(retried.lean.requests).toHaveLength(2);
  });

  test('429 and 503 with Retry-After are retried by the pipeline on both paths', async () => {
    const { sdk: a, lean: b } = await both(
      (c) => c.conversations.updateActivity(conversation.id, 'act-9', { ...cardReply(), id: 'act-9' }),
      [
        { status: 429, headers: { 'retry-after': '0' }, body: { error: { code: 'Throttled', message: 'slow down' } } },
        { status: 503, headers: { 'retry-after': '0' }, body: { error: { code: 'ServiceError', message: 'busy' } } },
      ],
    );
    expect(b.requests).toHaveLength(3);
    // The retried request carries the same body.
    expect(new Set(b.requests.map((r) => r.body)).size).toBe(1);
    expect(result((b.outcome as { value: unknown }).value)).toEqual(result((a.outcome as { value: unknown }).value));
  });

  test('URLs: odd conversation and activity ids and service URLs give the same request line', async () => {
    const ids = [
      '19:abc@thread.tacv2;messageid=1700000000000',
      'a:1 2/3?4#5%6&7=8+9',
      'ümlaut-日本-\u{1F600}',
      '..',
      '.',
      '',
      "(it's)!*~",
    ];
    const port = new URL(connector.url).port;
    const bases = [
      connector.url,
      `http://127.0.0.1:${port}`,
      `http://127.0.0.1:${port}/emea`,
      `http://127.0.0.1:${port}/emea/`,
      `http://127.0.0.1:${port}/emea/?tenant=1`,
      `HTTP://127.0.0.1:${port}/a/../emea/./x`,
    ];
    let compared = 0;
    for (const baseUri of bases) {
      const pair: [ConnectorClient, ConnectorClient] = [
        new ConnectorClient(credentials, { baseUri }),
        withLeanConversations(new ConnectorClient(credentials, { baseUri })),
      ];
      for (const id of ids) {
        const calls: Array<(c: ConnectorClient) => Promise<unknown>> = [
          (c) => c.conversations.replyToActivity(id, id, { type: 'typing' }),
          (c) => c.conversations.sendToConversation(id, { type: 'typing' }),
          (c) => c.conversations.updateActivity(id, `${id}/x`, { type: 'message', text: 'x' }),
        ];
        for (const call of calls) {
          const { sdk: a, lean: b } = await both(call, [], pair);
          compared += b.requests.length;
          // Node refuses the non-Latin-1 id in the reply's x-ms-conversation-id header on both paths.
          expect(String((b.outcome as { error?: unknown }).error)).toBe(
            String((a.outcome as { error?: unknown }).error),
          );
          const values = [a, b].map((r) => (r.outcome as { value?: unknown }).value);
          if (values[0]) expect(result(values[1])).toEqual(result(values[0]));
        }
      }
    }
    expect(compared).toBe(bases.length * (ids.length * 3 - 1));
  });

  test('an activity the SDK refuses: the SDK’s own error, nothing sent', async () => {
    const { sdk: a, lean: b } = await both((c) =>
      c.conversations.sendToConversation(conversation.id, { ...cardReply(), text: 42 as unknown as string }),
    );
    expect(b.requests).toHaveLength(0);
    expect(String(failure(b.outcome).message)).toContain('must be of type string');
    expect(failure(b.outcome)).toEqual(failure(a.outcome));
  });

  test('an activity the SDK converts (a String object, a date string): the same body', async () => {
    await both((c) =>
      c.conversations.replyToActivity(conversation.id, '1', {
        ...cardReply(),
        // eslint-disable-next-line no-new-wrappers
        text: new String('boxed') as unknown as string,
        timestamp: '2026-11-30 10:00:00Z' as unknown as Date,
        membersAdded: [{ id: 'a', name: 'A' }, undefined as never, null as never],
      }),
    );
  });
});

describe('lean calls through the adapter', () => {
  const connector = new RecordingConnector();
  beforeAll(() => connector.start());
  afterAll(() => connector.stop());

  /** What a turn of acrbot sends: typing, a card reply, its update, a proactive message, a delete. */
  async function turn(adapter: CloudAdapter): Promise<{ seen: Seen[]; client: ConnectorClient }> {
    let client: ConnectorClient | undefined;
    const reference: Partial<ConversationReference> = {
      serviceUrl: connector.url,
      channelId: 'msteams',
      conversation: conversation as ConversationReference['conversation'],
      bot: { id: '28:bot', name: 'acrbot' },
      user: { id: '29:user', name: 'Ada' },
      activityId: '1700000000000',
    };
    await adapter.continueConversationAsync('', reference, async (ctx: TurnContext) => {
      client = ctx.turnState.get(adapter.ConnectorClientKey);
      await ctx.sendActivity({ type: 'typing' });
      const sent = await ctx.sendActivity(cardActivity(card));
      await ctx.updateActivity(cardActivity(card, sent?.id));
      await ctx.sendActivity({ type: 'message', text: 'done', replyToId: undefined });
      await ctx.deleteActivity(sent!.id);
    });
    return { seen: connector.take(), client: client! };
  }

  test('acrbot’s adapter sends what botbuilder’s own adapter sends', async () => {
    const config = { mode: 'sandbox', channelAuth: {}, app: { type: 'MultiTenant' } } as unknown as AppConfig;
    const ours = createAdapter(config, createLogger({ level: 'silent' }));
    // botbuilder's own adapter with the same (empty) app settings: its per-turn SDK client.
    const plain = new CloudAdapter(
      new ConfigurationBotFrameworkAuthentication({
        MicrosoftAppId: '',
        MicrosoftAppPassword: '',
        MicrosoftAppType: 'MultiTenant',
        MicrosoftAppTenantId: '',
      }),
    );
    const { seen: expected, client: plainClient } = await turn(plain);
    const { seen: actual, client: ourClient } = await turn(ours);
    expect(Object.prototype.hasOwnProperty.call(ourClient.conversations, 'replyToActivity')).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(plainClient.conversations, 'replyToActivity')).toBe(false);
    expect(actual.map((s) => s.method)).toEqual(['POST', 'POST', 'PUT', 'POST', 'DELETE']);
    // The continuation activity's id (a fresh UUID per turn, which replies point to) differs
    // between the runs; everything else is the same, byte for byte.
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
    const normal = (s: Seen) => JSON.parse(JSON.stringify(wire(s)).replace(uuid, 'UUID'));
    expect(actual.map(normal)).toEqual(expected.map(normal));
  });

  test('through the pooled HTTP client, the same requests and answers', async () => {
    const config = { mode: 'sandbox', channelAuth: {}, app: { type: 'MultiTenant' } } as unknown as AppConfig;
    const pooled = new PooledHttpClient(createDefaultHttpClient());
    const sent: string[] = [];
    const recording: HttpClient = {
      sendRequest: (request) => {
        sent.push(request.method);
        return pooled.sendRequest(request);
      },
    };
    try {
      const { seen: expected } = await turn(createAdapter(config, createLogger({ level: 'silent' })));
      const { seen: actual } = await turn(createAdapter(config, createLogger({ level: 'silent' }), recording));
      expect(sent).toEqual(['POST', 'POST', 'PUT', 'POST', 'DELETE']);
      const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
      const normal = (s: Seen) => JSON.parse(JSON.stringify(wire(s)).replace(uuid, 'UUID'));
      // The update and the delete address the id the reply's answer carried: the answers were read.
      expect(actual.map(normal)).toEqual(expected.map(normal));
    } finally {
      await pooled.close();
    }
  });
});
