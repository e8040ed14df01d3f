/**
 * G12 for forms of a credential the scrubber's other tests leave out: an `Authorization` header
 * with the Basic scheme or a long value without a scheme, a kubeconfig quoted whole as a JSON
 * field, a kubeconfig line indented by one space; and a reason that names a `client-secret=`.
 */
import { REDACTION, scrubSecrets } from '../../src/domain/secret-text';
import { looksLikeSecret } from '../../src/domain/text';

const SECRET = 'dXNlcjpTM250aW5lbC1zY3J1Yg==';

test.each([
  ['Basic credentials', `Authorization: Basic ${SECRET}`, `Authorization: Basic ${REDACTION}`],
  ['a proxy one with Basic', `Proxy-Authorization: basic ${SECRET}`, `Proxy-Authorization: basic ${REDACTION}`],
  ['a long value without a scheme', `authorization=${SECRET}`, `authorization=${REDACTION}`],
  [
    'one after a colon',
    `headers: authorization: ${SECRET}, accept: */*`,
    `headers: authorization: ${REDACTION}, accept: */*`,
  ],
])('an Authorization header with %s loses its credential', (_what, text, expected) => {
  expect(scrubSecrets(text)).toBe(expected);
});

test('a short Authorization value without a scheme is no credential and stays', () => {
  expect(scrubSecrets('authorization: missing')).toBe('authorization: missing');
});

test('a kubeconfig quoted whole as a JSON field is redacted, its name kept', () => {
  const text = `{"name":"clusterUser","kubeconfig":"apiVersion: v1\\nusers:\\n- user:\\n    token: ${SECRET}"}`;
  const scrubbed = scrubSecrets(text);
  expect(scrubbed).toBe(`{"name":"clusterUser","kubeconfig":"${REDACTION}"}`);
});

test('a kubeconfig line indented by one space loses its value', () => {
  expect(scrubSecrets(`users:\n user:\n token: ${SECRET}`)).toBe(`users:\n user:\n token: ${REDACTION}`);
});

test.each([
  'deploy with client-secret=abc123',
  'deploy with Client_Secret = abc123',
  'deploy with clientSecret: abc123',
])('a reason naming a client secret with its value (%j) looks like a secret', (reason) => {
  expect(looksLikeSecret(reason)).toBe(true);
});

test.each([
  'client-secret=abc123Secret deploy',
  'client_secret=abc123Secret deploy',
  'clientSecret=abc123Secret deploy',
])('an assigned client secret in any spelling loses its value: %s', (text) => {
  const scrubbed = scrubSecrets(text);
  expect(scrubbed).not.toContain('abc123Secret');
  expect(scrubbed).toContain(REDACTION);
  expect(scrubbed).toContain('deploy');
});
