/**
 * The limits on how long and how far acrbot's ARM and Graph adapters follow a service: a
 * Retry-After longer than a minute is refused at once (not waited out), a long-running operation
 * is polled until a deadline, a listing's nextLink is followed neither in a loop nor to another
 * origin, and an ARM failure keeps its cause (ARM's own sentence) without the bearer token ever
 * reaching a log line. The real adapters run over HTTPS against small local servers that answer
 * what each case needs.
 */
import { CloudApiError } from '../../src/domain/ports';
import type { ArmConnection } from '../../src/integrations/azure/arm-connection';
import { MAX_LIST_PAGES } from '../../src/integrations/azure/arm-next-link';
import { ArmRegistryTokens, OPERATION_TIMED_OUT } from '../../src/integrations/azure/arm-registry-tokens';
import { ArmRoleAssignments } from '../../src/integrations/azure/arm-role-assignments';
import { ArmResourceReader } from '../../src/integrations/azure/azure-resource-reader';
import { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphError } from '../../src/integrations/graph/graph-failure';
import { RetryAfterTooLongError } from '../../src/integrations/http/capped-retry';
import { createSandboxTls } from '../../src/sandbox/tls';
import { connectionTo, HttpsService, json, type ServiceHandler as Handler } from '../helpers/https-service';
import { LogCapture } from '../helpers/log-capture';

const BEARER = 'SENTINEL-bearer-token-4e1a';
const SUB = '00000000-0000-0000-0000-000000000001';
const REGISTRY = { subscriptionId: SUB, resourceGroup: 'rg', name: 'acr1' };
const REGISTRY_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr1`;

const tls = createSandboxTls();
const arm = new HttpsService();
const other = new HttpsService();
let connection: ArmConnection;
let reader: ArmResourceReader;
let roles: ArmRoleAssignments;
let graph: GraphClient;

beforeAll(async () => {
  await arm.start(tls);
  await other.start(tls);
  connection = connectionTo(arm, tls.caPem, BEARER);
  reader = new ArmResourceReader(connection);
  roles = new ArmRoleAssignments(connection);
  graph = new GraphClient({ ...connection, throttleBackoffMs: 1 });
});
afterAll(async () => {
  connection.agent?.destroy();
  await arm.stop();
  await other.stop();
});
beforeEach(() => {
  arm.requests.length = 0;
  other.requests.length = 0;
});

/** Answers 429 (or `status`) asking for `retryAfter` seconds `times` times, then `then`. */
function throttleThen(retryAfter: string, times: number, then: Handler, status = 429): Handler {
  let left = times;
  return (req, res, url) => {
    if (left-- > 0)
      return json(
        res,
        status,
        { error: { code: 'SubscriptionRequestsThrottled', message: 'Number of requests exceeded the limit.' } },
        { 'retry-after': retryAfter, 'x-ms-request-id': 'arm-req-429', 'request-id': 'graph-req-429' },
      );
    then(req, res, url);
  };
}

describe('Retry-After longer than the cap', () => {
  test('an ARM read (modular SDK client pipeline) fails at once with the service, the asked wait and the request id', async () => {
    arm.handler = throttleThen('999999', 99, (_q, res) => json(res, 200, {}));
    const err = await reader.getCluster(SUB, 'rg', 'aks1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryAfterTooLongError);
    expect(err).toMatchObject({
      service: 'ARM',
      statusCode: 429,
      code: 'SubscriptionRequestsThrottled',
      askedMs: 999_999_000,
      requestId: 'arm-req-429',
    });
    expect((err as Error).message).toContain('ARM answered 429');
    expect((err as Error).message).toContain('999999 s');
    expect((err as Error).message).toContain('arm-req-429');
    expect(arm.requests).toHaveLength(1);
  });

  test('an ARM listing on the classic authorization client and a 503 are refused the same way', async () => {
    arm.handler = throttleThen('3600', 99, (_q, res) => json(res, 200, { value: [] }), 503);
    const err = await roles.listAtOrAbove(REGISTRY_ID).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryAfterTooLongError);
    expect(err).toMatchObject({ statusCode: 503, askedMs: 3_600_000 });
    expect(arm.requests).toHaveLength(1);
  });

  test('an ARM write through the SDK operation becomes a CloudApiError 429 with the refusal as cause', async () => {
    arm.handler = throttleThen('999999', 99, (_q, res) => json(res, 200, {}));
    const tokens = new ArmRegistryTokens(reader);
    const err = await tokens.createToken(REGISTRY, 'tok', `${REGISTRY_ID}/scopeMaps/m`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudApiError);
    expect(err).toMatchObject({ statusCode: 429, code: 'SubscriptionRequestsThrottled', requestId: 'arm-req-429' });
    expect((err as Error).cause).toBeInstanceOf(RetryAfterTooLongError);
    expect(arm.requests).toHaveLength(1);
  });

  test('a Graph read and a Graph write sent once both fail at once as GraphError 429 saying why', async () => {
    for (const once of [false, true]) {
      arm.requests.length = 0;
      arm.handler = throttleThen('999999', 99, (_q, res) => json(res, 200, {}));
      const err = await graph
        .request(once ? 'POST' : 'GET', '/me/checkMemberGroups', once ? { groupIds: ['g'] } : undefined, {}, { once })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GraphError);
      expect(err).toMatchObject({ status: 429, code: 'SubscriptionRequestsThrottled', requestId: 'graph-req-429' });
      expect((err as Error).message).toContain('Microsoft Graph answered 429');
      expect((err as Error).message).toContain('999999 s');
      expect((err as Error).cause).toBeInstanceOf(RetryAfterTooLongError);
      expect(arm.requests).toHaveLength(1);
    }
  });

  test('a normal Retry-After is still waited out and the call sent again, on ARM and on Graph', async () => {
    arm.handler = throttleThen('0', 2, (_q, res) => json(res, 200, { value: [] }));
    await expect(roles.listAtOrAbove(REGISTRY_ID)).resolves.toEqual([]);
    expect(arm.requests).toHaveLength(3);

    arm.requests.length = 0;
    arm.handler = throttleThen('1', 1, (_q, res) => json(res, 200, { value: [] }));
    await expect(reader.listRegistries(SUB)).resolves.toEqual([]);
    expect(arm.requests).toHaveLength(2);

    arm.requests.length = 0;
    arm.handler = throttleThen('0', 1, (_q, res) => json(res, 200, { id: 'me' }));
    await expect(graph.request('GET', '/me')).resolves.toMatchObject({ status: 200, body: { id: 'me' } });
    expect(arm.requests).toHaveLength(2);
  });
});

describe('long-running operations have a deadline', () => {
  /**
   * Every write starts an operation whose status stays InProgress, polled again only after 30 s;
   * `polled` is called at each poll.
   */
  function neverEnding(polled: () => void = () => undefined): Handler {
    return (req, res, url) => {
      if (url.startsWith('/operations/')) {
        json(res, 200, { status: 'InProgress' }, { 'retry-after': '30', 'x-ms-request-id': 'poll' });
        return polled();
      }
      json(
        res,
        202,
        {},
        {
          'azure-asyncoperation': `${arm.url}/operations/1?api-version=2025-11-01`,
          location: `${arm.url}/operations/1?api-version=2025-11-01`,
          'retry-after': '0',
          'x-ms-request-id': `arm-${req.method!.toLowerCase()}-1`,
        },
      );
    };
  }

  /** The adapter; `deadline` ends its operations' waits (default: ARM_OPERATION_TIMEOUT_MS). */
  const tokens = (deadline?: AbortSignal) => new ArmRegistryTokens(reader, { operationDeadline: () => deadline });
  const calls: Array<[string, string, (t: ArmRegistryTokens) => Promise<unknown>]> = [
    ['scope map create', 'put', (t) => t.scopeMapFor({ ...REGISTRY, id: REGISTRY_ID }, 'map', ['app'])],
    ['token create', 'put', (t) => t.createToken(REGISTRY, 'tok', `${REGISTRY_ID}/scopeMaps/map`)],
    ['generateCredentials', 'post', (t) => t.generatePassword(REGISTRY, 'tok', '2027-01-01T00:00:00Z')],
    ['token delete', 'delete', (t) => t.deleteToken(REGISTRY, 'tok')],
    ['scope map delete', 'delete', (t) => t.deleteScopeMap(REGISTRY, 'map')],
  ];

  test.each(calls)('%s gives up at the deadline, saying it may still complete in Azure', async (what, method, call) => {
    // The deadline passes while the operation is polled: once its status was asked for.
    const deadline = new AbortController();
    arm.handler = neverEnding(() => deadline.abort());
    const err = await call(tokens(deadline.signal)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudApiError);
    // No status: the secret runner counts it as a write that may have been applied, not a refusal.
    expect(err).toMatchObject({ code: OPERATION_TIMED_OUT, statusCode: undefined, requestId: `arm-${method}-1` });
    expect((err as Error).message).toContain(`${what} did not finish`);
    expect((err as Error).message).toContain('may still complete in Azure');
    expect(arm.requests.some((r) => r.url.startsWith('/operations/'))).toBe(true);
  });

  test('an operation ARM reports as failed keeps its code and sentence, with the error as cause', async () => {
    arm.handler = (req, res, url) => {
      if (url.startsWith('/operations/'))
        return json(res, 200, {
          status: 'Failed',
          error: { code: 'QuotaExceeded', message: 'The registry already has 100 tokens.' },
        });
      neverEnding()(req, res, url);
    };
    const err = await tokens()
      .createToken(REGISTRY, 'tok', `${REGISTRY_ID}/scopeMaps/map`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudApiError);
    expect(err).toMatchObject({ code: 'QuotaExceeded', requestId: 'arm-put-1' });
    expect((err as Error).message).toContain('The registry already has 100 tokens.');
    expect((err as Error).cause).toBeInstanceOf(Error);
  });
});

describe('listing pages', () => {
  const listing = (nextLink: (url: string) => string | undefined): Handler => {
    return (_req, res, url) => json(res, 200, { value: [], nextLink: nextLink(url) });
  };

  test('a nextLink back to the page itself fails instead of looping', async () => {
    arm.handler = listing((url) => `${arm.url}${url}`);
    await expect(roles.listAtOrAbove(REGISTRY_ID)).rejects.toThrow(/already fetched \(a loop\)/);
    expect(arm.requests).toHaveLength(1);
  });

  test('a cycle over two pages fails when it comes round', async () => {
    arm.handler = listing((url) =>
      url.includes('page=2')
        ? `${arm.url}/list?page=1&api-version=2022-04-01`
        : `${arm.url}/list?page=2&api-version=2022-04-01`,
    );
    await expect(reader.listRegistries(SUB)).rejects.toThrow(/already fetched \(a loop\)/);
    expect(arm.requests.map((r) => r.url)).toEqual([
      expect.stringContaining('/providers/Microsoft.ContainerRegistry/registries?'),
      '/list?page=2&api-version=2022-04-01',
      '/list?page=1&api-version=2022-04-01',
    ]);
  });

  test('a listing that never ends stops after the page limit', async () => {
    let n = 0;
    arm.handler = listing(() => `${arm.url}/list?page=${++n}`);
    await expect(roles.listInSubscription(SUB)).rejects.toThrow(`did not end after ${MAX_LIST_PAGES} pages`);
    expect(arm.requests).toHaveLength(MAX_LIST_PAGES);
  });

  test('a nextLink to another origin is not followed: the bearer token stays with ARM', async () => {
    other.handler = (_req, res) => json(res, 200, { value: [] });
    arm.handler = listing(() => `${other.url}/steal?page=2`);
    await expect(roles.listAtOrAbove(REGISTRY_ID)).rejects.toThrow(
      `answered a nextLink to ${other.url}, not ${arm.url}; not followed`,
    );
    expect(other.requests).toHaveLength(0);
    expect(arm.requests).toHaveLength(1);
  });
});

describe('errors keep their cause', () => {
  test('an ARM refusal of a write keeps ARM’s sentence and the RestError as cause; the log line has no bearer token', async () => {
    arm.handler = (_req, res) =>
      json(
        res,
        400,
        { error: { code: 'InvalidTokenName', message: 'Token name tok! is invalid: use letters and digits.' } },
        { 'x-ms-request-id': 'arm-req-400' },
      );
    const tokens = new ArmRegistryTokens(reader);
    const err = await tokens.createToken(REGISTRY, 'tok!', `${REGISTRY_ID}/scopeMaps/m`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudApiError);
    expect(err).toMatchObject({ code: 'InvalidTokenName', statusCode: 400, requestId: 'arm-req-400' });
    expect((err as Error).message).toContain('Token name tok! is invalid');
    expect((err as Error).cause).toMatchObject({ name: 'RestError', statusCode: 400 });
    // The request really carried the token; no log line does.
    expect(arm.requests[0]!.authorization).toBe(`Bearer ${BEARER}`);
    const logs = new LogCapture();
    logs.logger().error({ err }, 'secret flow failed in Azure');
    expect(logs.lines).toHaveLength(1);
    expect(logs.lines[0]).toContain('Token name tok! is invalid');
    expect(logs.lines[0]).toContain('RestError');
    expect(logs.lines[0]).not.toContain(BEARER);
    expect(logs.lines[0]!.toLowerCase()).not.toContain('bearer');
  });

  test('a role assignment delete ARM refuses keeps its cause', async () => {
    arm.handler = (_req, res) =>
      json(
        res,
        409,
        { error: { code: 'ScopeLocked', message: 'The scope is locked.' } },
        { 'x-ms-request-id': 'arm-req-409' },
      );
    const err = await roles
      .delete({ scope: REGISTRY_ID, name: '11111111-1111-1111-1111-111111111111', subscriptionId: SUB })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudApiError);
    expect(err).toMatchObject({ code: 'ScopeLocked', statusCode: 409, requestId: 'arm-req-409' });
    expect((err as Error).message).toContain('The scope is locked.');
    expect((err as Error).cause).toMatchObject({ statusCode: 409 });
  });

  test('a programming error is not dressed up as an Azure failure', async () => {
    const bug = new TypeError('client is not a function');
    const tokens = new ArmRegistryTokens({
      acrClient: () => {
        throw bug;
      },
      listRegistries: () => Promise.reject(bug),
    });
    await expect(tokens.createToken(REGISTRY, 'tok', 'map')).rejects.toBe(bug);
  });
});
