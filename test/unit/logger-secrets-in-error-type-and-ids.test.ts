/**
 * G12 for secret key names (kubeconfig, authorization, token, password, MicrosoftAppPassword) at
 * the top of a line and nested, as a kubeconfig and an HTTP request are logged under them; and for
 * the parts of a logged error the serializer writes itself rather than walks: the type taken from
 * the error's name or code (when its constructor has no useful name), and the Azure request and
 * correlation ids read from its response's headers.
 */
import { LogCapture } from '../helpers/log-capture';

const SECRET = 'SENTINEL-error-fields-7d1b';

/** The one line `log` wrote, raw and parsed. */
function logOnce(log: (logger: ReturnType<LogCapture['logger']>) => void): { raw: string; line: Record<string, any> } {
  const logs = new LogCapture();
  log(logs.logger());
  expect(logs.lines).toHaveLength(1);
  return { raw: logs.lines[0], line: JSON.parse(logs.lines[0]) as Record<string, any> };
}

/** An error whose constructor is anonymous, so its type is read from `field`. */
function anonymousError(field: 'name' | 'code', value: string): Error {
  const err = new Error('the call failed');
  Object.defineProperty(err, 'constructor', { value: { name: '' } });
  if (field === 'name') err.name = value;
  else Object.assign(err, { name: '', code: value });
  return err;
}

test.each(['name', 'code'] as const)('an error type read from its %s is scrubbed', (field) => {
  const err = anonymousError(field, `AccountKey=${SECRET}`);
  const { raw, line } = logOnce((log) => log.error({ err }, 'call failed'));
  expect(raw).not.toContain(SECRET);
  expect(line.err.type).toBe('AccountKey=[redacted]');
});

test('the Azure request and correlation ids an error answer carries are scrubbed', () => {
  const headers = new Map([
    ['x-ms-request-id', `req-1 sig=${SECRET}`],
    ['x-ms-correlation-request-id', `corr-1 password=${SECRET}`],
  ]);
  const err = Object.assign(new Error('refused'), { response: { status: 403, headers } });
  const { raw, line } = logOnce((log) => log.error({ err }, 'refused'));
  expect(raw).not.toContain(SECRET);
  expect(line.err.azureRequestId).toBe('req-1 sig=[redacted]');
  expect(line.err.azureCorrelationRequestId).toBe('corr-1 password=[redacted]');
});

test.each(['kubeconfig', 'Kubeconfig', 'authorization', 'Authorization', 'token', 'password', 'MicrosoftAppPassword'])(
  'a field named %s is redacted at the top of a line and nested',
  (key) => {
    const { raw, line } = logOnce((log) => log.info({ [key]: SECRET, call: { request: { [key]: SECRET } } }, 'call'));
    expect(raw).not.toContain(SECRET);
    expect(line[key]).toBe('[redacted]');
    expect(line.call.request[key]).toBe('[redacted]');
  },
);
