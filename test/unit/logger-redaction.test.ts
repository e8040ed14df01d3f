/**
 * G12 for the names secrets go by outside acrbot's own code: OAuth's, Graph's, a pull secret's,
 * a SAS's and a storage account's. Each is redacted at the top of a log line, nested below it,
 * and anywhere in an error or its cause; and a cause that is no Error (a string, a plain object)
 * still reaches the line, redacted like the rest.
 */
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { SECRET_KEY_NAMES } from '../../src/domain/secret-text';
import { LogCapture } from '../helpers/log-capture';

const SECRET = 'SENTINEL-redaction-5e0a';

const KEYS = [
  'client_secret',
  'access_token',
  'refresh_token',
  '.dockerconfigjson',
  'dockerconfigjson',
  'cookie',
  'sig',
  'accountKey',
  'privateKey',
  'apiKey',
  'passwordCredentials',
  'assertion',
  'secretText',
  'connectionString',
  // A docker config's, a kubeconfig's, token responses' and headers' names: the scrubber's list.
  'auth',
  'identitytoken',
  'client-key-data',
  'refreshToken',
  'id_token',
  'client_assertion',
  'SharedAccessKey',
  'set-cookie',
  'proxy-authorization',
  'x-api-key',
  'passwords',
  'value',
];

/** The one line `log` wrote, raw and parsed. */
function logOnce(log: (logger: ReturnType<LogCapture['logger']>) => void): { raw: string; line: Record<string, any> } {
  const logs = new LogCapture();
  log(logs.logger());
  expect(logs.lines).toHaveLength(1);
  return { raw: logs.lines[0], line: JSON.parse(logs.lines[0]) as Record<string, any> };
}

describe.each(KEYS)('%s', (key) => {
  test('is redacted at the top of a line and one and two levels below', () => {
    const { raw, line } = logOnce((log) =>
      log.info({ [key]: SECRET, body: { [key]: SECRET }, call: { body: { [key]: SECRET } } }, 'call'),
    );
    expect(raw).not.toContain(SECRET);
    // Replaced, not dropped: the line still says the key was there.
    expect(line[key]).toBe('[redacted]');
    expect(line.body[key]).toBe('[redacted]');
    expect(line.call.body[key]).toBe('[redacted]');
  });

  test('is redacted deep in an error and in its cause, whose message stays', () => {
    const cause = Object.assign(new Error('token endpoint answered 400'), { response: { body: { [key]: SECRET } } });
    const err = Object.assign(new Error('sign-in failed', { cause }), {
      request: { form: { data: { [key]: SECRET } } },
    });
    const { raw, line } = logOnce((log) => log.error({ err }, 'sign-in failed'));
    expect(raw).not.toContain(SECRET);
    expect(line.err.request.form.data[key]).toBe('[redacted]');
    expect(line.err.cause).toMatchObject({
      type: 'Error',
      message: 'token endpoint answered 400',
      response: { body: { [key]: '[redacted]' } },
    });
  });

  test('is redacted in a cause that is a plain object, which is kept', () => {
    const err = new Error('refused', { cause: { detail: 'the service said no', [key]: SECRET } });
    const { raw, line } = logOnce((log) => log.error({ err }, 'refused'));
    expect(raw).not.toContain(SECRET);
    expect(line.err.cause).toEqual({ detail: 'the service said no', [key]: '[redacted]' });
  });
});

test('secret keys are redacted in any case, five levels down and inside class instances; what serialises itself stays', () => {
  class Call {
    constructor(readonly headers: Record<string, string>) {}
  }
  const at = new Date('2026-12-02T00:00:00.000Z');
  const { raw, line } = logOnce((log) =>
    log.info(
      {
        Client_Secret: SECRET,
        a: { b: { c: { d: { accessToken: SECRET, kept: 'id-1' } } } },
        call: new Call({ Authorization: SECRET, 'x-ms-request-id': 'req-1' }),
        at,
        url: new URL('https://management.azure.com/x'),
      },
      'call',
    ),
  );
  expect(raw).not.toContain(SECRET);
  expect(line.Client_Secret).toBe('[redacted]');
  expect(line.a.b.c.d).toEqual({ accessToken: '[redacted]', kept: 'id-1' });
  expect(line.call.headers).toEqual({ Authorization: '[redacted]', 'x-ms-request-id': 'req-1' });
  expect(line.at).toBe(at.toISOString());
  expect(line.url).toBe('https://management.azure.com/x');
});

test('every name the text scrubber hides a value of is redacted as a field, in any case', () => {
  const fields = Object.fromEntries(SECRET_KEY_NAMES.map((k) => [k.toUpperCase(), SECRET]));
  const { raw, line } = logOnce((log) => log.info({ body: fields }, 'call'));
  expect(raw).not.toContain(SECRET);
  expect(Object.values(line.body)).toEqual(SECRET_KEY_NAMES.map(() => '[redacted]'));
});

test('what serialises itself is written scrubbed: a URL with a password or a SAS, HttpHeaders', () => {
  const { raw, line } = logOnce((log) =>
    log.info(
      {
        url: new URL(`https://u:${SECRET}@acct.blob.core.windows.net/c?sv=2022&sig=${SECRET}`),
        request: {
          headers: createHttpHeaders({ authorization: `Bearer ${SECRET}`, 'x-ms-request-id': 'req-1' }),
        },
        custom: { toJSON: () => ({ password: SECRET, kept: 'id-1' }) },
      },
      'call',
    ),
  );
  expect(raw).not.toContain(SECRET);
  expect(line.url).toBe('https://[redacted]@acct.blob.core.windows.net/c?sv=2022&sig=[redacted]');
  expect(line.request.headers).toEqual({ authorization: '[redacted]', 'x-ms-request-id': 'req-1' });
  expect(line.custom).toEqual({ password: '[redacted]', kept: 'id-1' });
});

test('an error property that serialises itself is written as it serialises, scrubbed', () => {
  const err = Object.assign(new Error('upload failed'), {
    url: new URL(`https://acct.blob.core.windows.net/c?sig=${SECRET}`),
    sent: createHttpHeaders({ 'x-api-key': SECRET, accept: 'application/json' }),
  });
  const { raw, line } = logOnce((log) => log.error({ err }, 'failed'));
  expect(raw).not.toContain(SECRET);
  expect(line.err).toMatchObject({
    message: 'upload failed',
    url: 'https://acct.blob.core.windows.net/c?sig=[redacted]',
    sent: { 'x-api-key': '[redacted]', accept: 'application/json' },
  });
});

test('a toJSON that throws or returns its own object still gives a line', () => {
  const throwing = {
    toJSON() {
      throw new Error(`cannot serialise password=${SECRET}`);
    },
  };
  const selfish = {
    password: SECRET,
    toJSON() {
      return this;
    },
  };
  const { raw, line } = logOnce((log) => log.info({ throwing, selfish }, 'call'));
  expect(raw).not.toContain(SECRET);
  expect(line.throwing).toBe('[unserialisable] Error: cannot serialise password=[redacted]');
  expect(raw).toContain('[cut]');
});

test('a cause that is a string is kept', () => {
  const { line } = logOnce((log) => log.error({ err: new Error('outer', { cause: 'the inner reason' }) }, 'failed'));
  expect(line.err).toMatchObject({ type: 'Error', message: 'outer', cause: 'the inner reason' });
});

test('an error held by a plain property keeps its message and cause, redacted', () => {
  const inner = new Error('inner failure', { cause: { password: SECRET, why: 'the inner cause' } });
  const err = Object.assign(new Error('outer'), { details: { inner } });
  const { raw, line } = logOnce((log) => log.error({ err }, 'failed'));
  expect(raw).not.toContain(SECRET);
  expect(line.err.details.inner).toMatchObject({
    type: 'Error',
    message: 'inner failure',
    cause: { password: '[redacted]', why: 'the inner cause' },
  });
});

test('the errors of an AggregateError keep their messages, redacted', () => {
  const err = new AggregateError(
    [Object.assign(new Error('first'), { accountKey: SECRET }), new Error('second', { cause: 'why second' })],
    'both failed',
  );
  const { raw, line } = logOnce((log) => log.error({ err }, 'failed'));
  expect(raw).not.toContain(SECRET);
  expect(line.err.aggregateErrors).toEqual([
    expect.objectContaining({ message: 'first', accountKey: '[redacted]' }),
    expect.objectContaining({ message: 'second', cause: 'why second' }),
  ]);
});
