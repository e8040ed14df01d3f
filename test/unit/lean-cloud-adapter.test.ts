import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  StatusCodes,
  type TurnContext,
} from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import { LeanCloudAdapter } from '../../src/bot/lean-cloud-adapter';
import { currentCorrelationId, withCorrelation } from '../../src/observability/correlation';

/** A response that records what the adapter did with it, in order. */
function recordingResponse(): { res: object; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const res = {
    status: (code: number) => calls.push(['status', code]),
    send: (body: unknown) => calls.push(['send', body]),
    header: (...args: unknown[]) => calls.push(['header', ...args]),
    end: () => calls.push(['end']),
  };
  return { res, calls };
}

interface Case {
  req: { method?: string; headers: Record<string, unknown>; body?: unknown };
  logic?: (ctx: TurnContext) => Promise<void>;
  appId?: string;
}

const activity = (extra: Record<string, unknown> = {}) => ({
  type: 'message',
  id: 'a1',
  text: 'hello',
  channelId: 'msteams',
  serviceUrl: 'https://smba.example.test/',
  timestamp: '2025-01-15T09:00:00.000Z',
  localTimestamp: '2025-01-15T10:00:00.000+01:00',
  from: { id: 'u1', name: 'User' },
  recipient: { id: 'bot', name: 'Bot' },
  conversation: { id: 'c1' },
  ...extra,
});

/** Runs one request through an adapter; what it answered, what the turn saw, what it logged. */
async function run(Adapter: typeof CloudAdapter, c: Case) {
  const options: ConfigurationBotFrameworkAuthenticationOptions = { MicrosoftAppId: c.appId ?? '' };
  const adapter = new Adapter(new ConfigurationBotFrameworkAuthentication(options));
  const { res, calls } = recordingResponse();
  const seen: unknown[] = [];
  const logic =
    c.logic ??
    (async (ctx: TurnContext) => {
      seen.push({ ...ctx.activity });
    });
  const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const warnings = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  // A fresh copy of the request per adapter (both fix up the body in place), made with this
  // realm's JSON as the server's body parser makes it (structuredClone's objects would come
  // from another realm under Jest and not be plain objects here).
  const req = JSON.parse(JSON.stringify(c.req)) as Case['req'];
  let thrown: unknown;
  let logged: { errors: string[]; warnings: string[] };
  try {
    await adapter.process(req as never, res as never, logic);
  } catch (err) {
    thrown = String(err);
  } finally {
    logged = {
      errors: errors.mock.calls.map((a) => String(a[0])),
      warnings: warnings.mock.calls.map((a) => String(a[0])),
    };
    errors.mockRestore();
    warnings.mockRestore();
  }
  return { calls, seen, thrown, body: req.body, ...logged };
}

describe('LeanCloudAdapter.process answers as CloudAdapter.process does', () => {
  const cases: Array<[string, Case]> = [
    ['a message turn', { req: { method: 'POST', headers: {}, body: activity() } }],
    [
      'an invoke answered with a status and body',
      {
        req: { method: 'POST', headers: {}, body: activity({ type: 'invoke', name: 'adaptiveCard/action' }) },
        logic: async (ctx) => {
          await ctx.sendActivity({ type: 'invokeResponse', value: { status: 200, body: { statusCode: 200 } } });
        },
      },
    ],
    [
      'no Authorization header with an app id (401)',
      { req: { method: 'POST', headers: {}, body: activity() }, appId: '00000000-0000-0000-0000-000000000001' },
    ],
    [
      'a malformed bearer token with an app id',
      {
        req: { method: 'POST', headers: { authorization: 'Bearer not-a-jwt' }, body: activity() },
        appId: '00000000-0000-0000-0000-000000000001',
      },
    ],
    ['a GET (405)', { req: { method: 'GET', headers: {}, body: activity() } }],
    [
      'an Authorization header that is not a string',
      { req: { method: 'POST', headers: { authorization: ['a', 'b'] }, body: activity() } },
    ],
  ];

  test.each(cases)('%s', async (_name, c) => {
    const lean = await run(LeanCloudAdapter, c);
    const sdk = await run(CloudAdapter, c);
    expect(lean).toEqual(sdk);
    // The comparison is about something: every case answers or throws.
    expect(lean.calls.length > 0 || lean.thrown !== undefined).toBe(true);
  });

  test('the turn sees the activity with its timestamps fixed up as botbuilder does', async () => {
    const { seen, calls } = await run(LeanCloudAdapter, { req: { method: 'POST', headers: {}, body: activity() } });
    expect(calls).toEqual([['status', 200], ['end']]);
    const turn = seen[0] as { timestamp: unknown; rawTimestamp: unknown; localTimestamp: unknown };
    expect(turn.timestamp).toEqual(new Date('2025-01-15T09:00:00.000Z'));
    expect(turn.rawTimestamp).toBe('2025-01-15T09:00:00.000Z');
    expect(turn.localTimestamp).toBeInstanceOf(Date);
  });
});

describe('LeanCloudAdapter answers where botbuilder would leak or fail', () => {
  const NOT_AN_ACTIVITY = {
    error: 'badRequest',
    message: expect.stringContaining('not a Bot Framework activity') as unknown,
  };

  test.each<[string, unknown]>([
    ['an empty object', {}],
    ['no type', { text: 'hello', from: { id: 'u1' } }],
    ['a type that is not a string', activity({ type: 7 })],
    ['an empty type', activity({ type: '' })],
    ['a channel id that is not a string', activity({ channelId: { x: 1 } })],
    ['a channel id that is an array', activity({ channelId: ['msteams'] })],
    ['an array', [activity()]],
    ['null', null],
    ['a string', 'message'],
    ['no body at all', undefined],
  ])('a body that is not an activity (%s): 400 with a sentence, no turn, nothing thrown', async (_name, body) => {
    const req = { method: 'POST', headers: {}, ...(body === undefined ? {} : { body }) };
    const out = await run(LeanCloudAdapter, { req });
    expect(out.thrown).toBeUndefined();
    expect(out.seen).toEqual([]);
    expect(out.calls).toEqual([['status', 400], ['send', NOT_AN_ACTIVITY], ['end']]);
  });

  test("a turn that throws: 500 with the turn's correlation id, not the error's text", async () => {
    // The request runs under the server's id; the authenticated turn under turn-<activity id>,
    // which its 500 carries too (its other lines have it).
    let inTurn: string | undefined;
    const out = await withCorrelation(
      () =>
        run(LeanCloudAdapter, {
          req: { method: 'POST', headers: {}, body: activity() },
          logic: async () => {
            inTurn = currentCorrelationId();
            throw new Error('boom at https://internal.example/secret-path');
          },
        }),
      'req-c0ffee',
    );
    expect(inTurn).toBe('turn-a1');
    expect(out.calls).toEqual([['status', 500], ['send', { error: 'internal', correlationId: 'turn-a1' }], ['end']]);
    expect(JSON.stringify(out.calls)).not.toMatch(/boom|internal\.example/);
    expect(out.errors).toEqual(['Error: boom at https://internal.example/secret-path']);
  });
});

describe('LeanCloudAdapter when the channel keys cannot be loaded', () => {
  /** botbuilder's error when the OpenID metadata or keys endpoint answers with an error. */
  class KeysUnavailable extends ConfigurationBotFrameworkAuthentication {
    override async authenticateRequest(): Promise<never> {
      throw new AuthenticationError('Failed to load Keys: 503', StatusCodes.INTERNAL_SERVER_ERROR);
    }
  }

  test('500 reported as our failure, not a 401 blamed on the caller', async () => {
    const reported: number[] = [];
    const adapter = new LeanCloudAdapter(new KeysUnavailable({ MicrosoftAppId: 'app' }), (_err, status) =>
      reported.push(status),
    );
    const { res, calls } = recordingResponse();
    await withCorrelation(
      () => adapter.process({ method: 'POST', headers: {}, body: activity() } as never, res as never, async () => {}),
      'turn-keys',
    );
    expect(calls).toEqual([['status', 500], ['send', { error: 'internal', correlationId: 'turn-keys' }], ['end']]);
    expect(reported).toEqual([500]);
  });
});

describe('LeanCloudAdapter reports a request error to the hook it is given, not the console', () => {
  async function withReporter(c: Case) {
    const reported: Array<[string, number]> = [];
    const adapter = new LeanCloudAdapter(
      new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: c.appId ?? '' }),
      (err, status) => reported.push([String(err), status]),
    );
    const { res, calls } = recordingResponse();
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await adapter.process(JSON.parse(JSON.stringify(c.req)) as never, res as never, c.logic ?? (async () => {}));
      return { reported, calls, console: consoleError.mock.calls.length };
    } finally {
      consoleError.mockRestore();
    }
  }

  test('a refused token: 401, reported once with its status', async () => {
    const out = await withReporter({
      req: { method: 'POST', headers: { authorization: 'Bearer not-a-jwt' }, body: activity() },
      appId: '00000000-0000-0000-0000-000000000001',
    });
    expect(out.calls[0]).toEqual(['status', 401]);
    expect(out.reported).toHaveLength(1);
    expect(out.reported[0][1]).toBe(401);
    expect(out.console).toBe(0);
  });

  test('a turn that throws without onTurnError: 500, reported once with the error', async () => {
    const out = await withReporter({
      req: { method: 'POST', headers: {}, body: activity() },
      logic: async () => {
        throw new Error('boom in the turn');
      },
    });
    expect(out.calls[0]).toEqual(['status', 500]);
    expect(out.reported).toEqual([['Error: boom in the turn', 500]]);
    expect(out.console).toBe(0);
  });
});
