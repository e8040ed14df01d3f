/**
 * ChannelSigningKeys (src/bot/channel-signing-keys.ts) on a stub HTTP client: a read that gets no
 * answer fails within its time limit (a 500, naming the host) instead of holding the activity;
 * keys read before stay in use when a later read fails; an unknown kid reads again at most hourly.
 * (Through a real proxy: test/integration/proxy-channel-keys.test.ts.)
 */
import { createHttpHeaders, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import { AuthenticationError } from 'botframework-connector';
import { generateKeyPairSync } from 'node:crypto';
import { ChannelSigningKeys } from '../../src/bot/channel-signing-keys';
import { LogCapture } from '../helpers/log-capture';

const METADATA = 'https://login.botframework.com/v1/.well-known/openidconfiguration';
const JWKS = 'https://login.botframework.com/v1/.well-known/keys';
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', endorsements: ['msteams'] };

/** Answers the two documents, or hangs / fails while `mode` says so; counts the requests. */
function channel() {
  const state = { mode: 'answer' as 'answer' | 'hang' | 'fail', requests: [] as PipelineRequest[] };
  const http: HttpClient = {
    sendRequest: (request) => {
      state.requests.push(request);
      if (state.mode === 'hang') return new Promise(() => undefined);
      if (state.mode === 'fail') return Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
      const body = request.url === METADATA ? { jwks_uri: JWKS } : { keys: [jwk] };
      return Promise.resolve({
        status: 200,
        request,
        headers: createHttpHeaders(),
        bodyAsText: JSON.stringify(body),
      });
    },
  };
  return { state, http };
}

test('a read that gets no answer fails within the time limit, as a 500 naming the host', async () => {
  const { state, http } = channel();
  state.mode = 'hang';
  const keys = new ChannelSigningKeys(METADATA, http, new LogCapture().logger(), 50);
  const failure = await keys.getKey('k1').then(
    () => undefined,
    (e: unknown) => e as AuthenticationError,
  );
  expect(failure).toBeInstanceOf(AuthenticationError);
  expect(failure?.statusCode).toBe(500);
  expect(failure?.message).toContain("Failed to read login.botframework.com's signing keys: ETIMEDOUT");
  // The request itself was bounded too (the client's own timeout, and a signal it can abort on).
  expect(state.requests[0]!.timeout).toBe(50);
  expect(state.requests[0]!.abortSignal?.aborted).toBe(true);
});

test('the keys read before stay in use when a later read fails (logged as a warning), tried again minutes later', async () => {
  const { state, http } = channel();
  let now = 1_000_000;
  const logs = new LogCapture();
  const keys = new ChannelSigningKeys(METADATA, http, logs.logger(), 1_000, () => now);
  expect(await keys.getKey('k1')).toMatchObject({
    key: expect.stringContaining('PUBLIC KEY'),
    endorsements: ['msteams'],
  });
  expect(state.requests).toHaveLength(2);

  state.mode = 'fail';
  now += 25 * 60 * 60 * 1000;
  expect(await keys.getKey('k1')).toMatchObject({ endorsements: ['msteams'] });
  expect(logs.entries().filter((e) => e.level === 40)).toHaveLength(1);
  expect(state.requests).toHaveLength(3);
  // Not tried again by every activity: five minutes later.
  now += 60 * 1000;
  expect(await keys.getKey('k1')).not.toBeNull();
  expect(state.requests).toHaveLength(3);
  now += 5 * 60 * 1000;
  state.mode = 'answer';
  expect(await keys.getKey('k1')).not.toBeNull();
  expect(state.requests).toHaveLength(5);
});

test('an unknown kid reads the documents again at most hourly', async () => {
  const { state, http } = channel();
  let now = 1_000_000;
  const keys = new ChannelSigningKeys(METADATA, http, new LogCapture().logger(), 1_000, () => now);
  expect(await keys.getKey('unknown')).toBeNull();
  expect(await keys.getKey('unknown')).toBeNull();
  expect(state.requests).toHaveLength(2);
  now += 61 * 60 * 1000;
  expect(await keys.getKey('unknown')).toBeNull();
  expect(state.requests).toHaveLength(4);
});

test('a keys URL that is plain http, named by an https metadata document, is not read', async () => {
  const request = jest.fn();
  const http: HttpClient = {
    sendRequest: async (r) => {
      request(r.url);
      return {
        status: 200,
        request: r,
        headers: createHttpHeaders(),
        bodyAsText: JSON.stringify({ jwks_uri: 'http://x/keys' }),
      };
    },
  };
  const keys = new ChannelSigningKeys(METADATA, http, new LogCapture().logger());
  await expect(keys.getKey('k1')).rejects.toThrow(/no usable jwks_uri/);
  expect(request).toHaveBeenCalledTimes(1);
});
