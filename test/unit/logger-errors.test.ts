/**
 * G12 for errors: an error's own properties reach the log through pino's error serializer, and
 * HTTP clients nest their request's configuration and body deeper than the logger's redaction
 * paths (`key`, `*.key`, `*.*.key`). Secrets at any depth are replaced; what an operator needs
 * (message, stack, cause, code, status, request id) stays.
 */
import { LogCapture } from '../helpers/log-capture';

const SECRET = 'SENTINEL-deep-secret-9c1f';

test('an error with secrets nested deep (client config headers, a response body) logs without them, and keeps what an operator acts on', () => {
  const logs = new LogCapture();
  const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const err = Object.assign(new Error('request failed', { cause }), {
    statusCode: 502,
    requestId: 'req-1234',
    config: { url: 'https://example.invalid/x', headers: { Authorization: `Bearer ${SECRET}` } },
    body: { data: { nested: { password: SECRET } } },
    response: { headers: { 'set-cookie': `session=${SECRET}` } },
  });
  logs.logger().error({ err }, 'call failed');
  const [line] = logs.lines;
  expect(line).not.toContain(SECRET);
  const logged = JSON.parse(line) as { err: Record<string, unknown> };
  expect(logged.err).toMatchObject({
    type: 'Error',
    message: 'request failed',
    statusCode: 502,
    requestId: 'req-1234',
  });
  expect(String(logged.err.stack)).toContain('request failed');
  expect(JSON.stringify(logged.err)).toContain('socket hang up');
  expect(JSON.stringify(logged.err)).toContain('ECONNRESET');
});
