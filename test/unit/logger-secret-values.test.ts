/**
 * G12 for secrets inside values, through the real logger: a connection string or token carried
 * by the message, an error's message and stack, a nested cause, an Error logged under a key other
 * than `err`, or a string field is replaced, and the key and context around it stay.
 */
import { LogCapture } from '../helpers/log-capture';

const SECRET = 'S3ntinelLogValue9c1f';
const CONNECTION = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${SECRET}==;EndpointSuffix=core.windows.net`;

/** The one line `log` wrote, raw and parsed. */
function logOnce(log: (logger: ReturnType<LogCapture['logger']>) => void): { raw: string; line: Record<string, any> } {
  const logs = new LogCapture();
  log(logs.logger());
  expect(logs.lines).toHaveLength(1);
  return { raw: logs.lines[0], line: JSON.parse(logs.lines[0]) as Record<string, any> };
}

test('the message, formatted arguments included', () => {
  const { raw, line } = logOnce((log) => log.info('opening %s for %s', CONNECTION, 'audit'));
  expect(raw).not.toContain(SECRET);
  expect(line.msg).toBe(
    'opening DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[redacted];EndpointSuffix=core.windows.net for audit',
  );
});

test("an error's message and stack", () => {
  const err = new Error(`cannot reach https://acct.blob.core.windows.net/c?sv=2022&sig=${SECRET}&sp=r`);
  const { raw, line } = logOnce((log) => log.error({ err }, 'blob read failed'));
  expect(raw).not.toContain(SECRET);
  expect(line.err.message).toBe('cannot reach https://acct.blob.core.windows.net/c?sv=2022&sig=[redacted]&sp=r');
  expect(line.err.stack).toContain('sig=[redacted]&sp=r');
  expect(line.err.stack).toContain('logger-secret-values.test');
});

test('a nested cause, an Error and a string', () => {
  const inner = new Error(`token endpoint said: client_secret=${SECRET} is expired`);
  const middle = new Error('sign-in failed', { cause: inner });
  const err = new Error('grant failed', { cause: Object.assign(middle, { details: `password=${SECRET}` }) });
  const stringCause = new Error('pull failed', { cause: `Authorization: Bearer ${SECRET}0123456789` });
  const { raw, line } = logOnce((log) => log.error({ err, other: stringCause }, 'failed'));
  expect(raw).not.toContain(SECRET);
  expect(line.err.cause.details).toBe('password=[redacted]');
  expect(line.err.cause.cause).toMatchObject({
    type: 'Error',
    message: 'token endpoint said: client_secret=[redacted] is expired',
  });
  expect(line.other.cause).toBe('Authorization: Bearer [redacted]');
});

test.each(['error', 'cause', 'failure'])('an Error under `%s` is serialised as `err` is, and scrubbed', (key) => {
  const err = Object.assign(new Error(`storage refused ${CONNECTION}`, { cause: new Error('socket closed') }), {
    code: 'AuthenticationFailed',
    statusCode: 403,
    request: { headers: { authorization: 'SharedKey acct:abc' }, body: { accountKey: SECRET } },
  });
  const { raw, line } = logOnce((log) => log.error({ [key]: err, requestId: 'req-1' }, 'write failed'));
  expect(raw).not.toContain(SECRET);
  expect(raw).not.toContain('SharedKey acct:abc');
  expect(line[key]).toMatchObject({
    type: 'Error',
    message: expect.stringContaining('AccountKey=[redacted];EndpointSuffix=core.windows.net'),
    stack: expect.stringContaining('storage refused'),
    code: 'AuthenticationFailed',
    statusCode: 403,
    cause: { type: 'Error', message: 'socket closed' },
    request: { headers: '[redacted]', body: { accountKey: '[redacted]' } },
  });
  expect(line.requestId).toBe('req-1');
});

test('an Error nested in a plain field, and in an array', () => {
  const { raw, line } = logOnce((log) =>
    log.warn({ job: { last: new Error(`failed with sig=${SECRET}`) }, attempts: [new Error('first')] }, 'retrying'),
  );
  expect(raw).not.toContain(SECRET);
  expect(line.job.last).toMatchObject({ type: 'Error', message: 'failed with sig=[redacted]' });
  expect(line.attempts).toEqual([expect.objectContaining({ type: 'Error', message: 'first' })]);
});

test('string fields at the top and nested, ids left alone', () => {
  const id = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/x/registries/r';
  const { raw, line } = logOnce((log) =>
    log.info(
      {
        url: `https://user:${SECRET}@r.azurecr.io/v2/`,
        call: {
          body: `{"auth":"${SECRET}"}`,
          list: [`AccountKey=${SECRET}`],
          deeper: { still: { here: `pwd=${SECRET}` } },
        },
        resourceId: id,
        requestId: '4f1c2d3e-5a6b-7c8d-9e0f-a1b2c3d4e5f6',
      },
      'call',
    ),
  );
  expect(raw).not.toContain(SECRET);
  expect(line).toMatchObject({
    url: 'https://[redacted]@r.azurecr.io/v2/',
    call: {
      body: '{"auth":"[redacted]"}',
      list: ['AccountKey=[redacted]'],
      deeper: { still: { here: 'pwd=[redacted]' } },
    },
    resourceId: id,
    requestId: '4f1c2d3e-5a6b-7c8d-9e0f-a1b2c3d4e5f6',
  });
});

test('a secret key below the redaction paths is redacted too', () => {
  const { raw, line } = logOnce((log) => log.info({ a: { b: { c: { password: SECRET } } } }, 'deep'));
  expect(raw).not.toContain(SECRET);
  expect(line.a.b.c.password).toBe('[redacted]');
});

test("the caller's object is not changed", () => {
  const fields = { call: { url: `https://u:${SECRET}@h/`, attempts: [`sig=${SECRET}`], last: new Error('x') } };
  logOnce((log) => log.info(fields, 'call'));
  expect(fields.call.url).toContain(SECRET);
  expect(fields.call.attempts[0]).toContain(SECRET);
  expect(fields.call.last).toBeInstanceOf(Error);
});
