/**
 * The URL settings, parsed as URLs: the ARM and Graph endpoints (https, a host, no query,
 * fragment or credentials; a path only where the client appends its paths after it) and the
 * channel test hooks (an OpenID metadata URL; a token issuer kept exactly as written, since it is
 * compared with the tokens' `iss`).
 */
import { loadConfig } from '../../src/config/config';
import { problemsOf } from './support/config-env';

const NO_HOST = (name: string, example: string) => `${name} must be an https:// URL with a host, e.g. ${example}`;
const ARM_EXAMPLE = 'https://management.usgovcloudapi.net';
const GRAPH_EXAMPLE = 'https://graph.microsoft.us';
const QUERY = 'must not have a query (?…) or fragment (#…): acrbot appends its request paths to it';

describe('ACRBOT_ARM_ENDPOINT and ACRBOT_GRAPH_ENDPOINT', () => {
  test.each([
    ['https:// alone', 'https://', 'no host'],
    ['https:/// (a slash, no host)', 'https:///', 'no host'],
    ['a port, no host', 'https://:443', 'no host'],
    ['http', 'http://management.azure.com', 'no host'],
    ['no scheme', 'management.azure.com', 'no host'],
    ['a space inside', 'https://management azure.com', 'no host'],
    ['a bare query mark', 'https://x/?q', 'query'],
    ['an empty query', 'https://x?', 'query'],
    ['a fragment', 'https://x#top', 'query'],
    ['credentials', 'https://user:pa55@x', 'credentials'],
  ])('%s is refused for both', (_what, value, kind) => {
    for (const [name, example] of [
      ['ACRBOT_ARM_ENDPOINT', ARM_EXAMPLE],
      ['ACRBOT_GRAPH_ENDPOINT', GRAPH_EXAMPLE],
    ] as const) {
      const problems = problemsOf({ [name]: value });
      expect(problems).toEqual([
        kind === 'no host'
          ? NO_HOST(name, example)
          : kind === 'query'
            ? `${name} ${QUERY}`
            : `${name} must not carry a user name or password (acrbot signs in with its own identity)`,
      ]);
      // The value is never repeated: it may hold a password.
      expect(problems.join('\n')).not.toContain('pa55');
    }
  });

  test('ARM takes its origin only: the SDK asks for tokens for <endpoint>/.default', () => {
    expect(problemsOf({ ACRBOT_ARM_ENDPOINT: 'https://gateway.contoso.com/arm' })).toEqual([
      `ACRBOT_ARM_ENDPOINT must be the endpoint's origin only, e.g. ${ARM_EXAMPLE} (no path: tokens are asked for <endpoint>/.default)`,
    ]);
  });

  test('Graph takes a path (the client appends /v1.0 after it), but not one ending in the version', () => {
    expect(loadConfig({ ACRBOT_GRAPH_ENDPOINT: 'https://Gateway.Contoso.com:443/graph/' }).graphEndpoint).toBe(
      'https://gateway.contoso.com/graph',
    );
    expect(problemsOf({ ACRBOT_GRAPH_ENDPOINT: 'https://graph.microsoft.com/v1.0' })).toEqual([
      'ACRBOT_GRAPH_ENDPOINT must not end with the API version (/v1.0): acrbot adds /v1.0 itself',
    ]);
  });

  test('sovereign and local endpoints are taken, without trailing slashes', () => {
    const config = loadConfig({
      ACRBOT_ARM_ENDPOINT: 'https://management.chinacloudapi.cn/',
      ACRBOT_GRAPH_ENDPOINT: 'https://127.0.0.1:8443',
    });
    expect(config).toMatchObject({
      armEndpoint: 'https://management.chinacloudapi.cn',
      graphEndpoint: 'https://127.0.0.1:8443',
    });
  });
});

describe('channel test hooks', () => {
  const METADATA_PROBLEM =
    'ACRBOT_CHANNEL_OPENID_METADATA_URL must be the https:// URL of an OpenID metadata document (plain http only on 127.0.0.1, [::1] or localhost), e.g. https://login.botframework.com/v1/.well-known/openidconfiguration';
  const ISSUER_PROBLEM =
    'ACRBOT_CHANNEL_TOKEN_ISSUER must be an https:// URL written exactly as the iss claim of the channel tokens, e.g. https://api.botframework.com (no query, fragment or credentials)';

  test.each([
    'login.botframework.com/v1/.well-known/openidconfiguration',
    'http://10.0.0.5/metadata',
    'https://',
    'ftp://x/y',
  ])('an OpenID metadata URL %s is refused', (value) => {
    expect(problemsOf({ ACRBOT_CHANNEL_OPENID_METADATA_URL: value })).toEqual([METADATA_PROBLEM]);
  });

  test('an OpenID metadata URL with credentials is refused without repeating them', () => {
    const problems = problemsOf({ ACRBOT_CHANNEL_OPENID_METADATA_URL: 'https://u:pa55@x/openid' });
    expect(problems).toEqual(['ACRBOT_CHANNEL_OPENID_METADATA_URL must not carry a user name or password']);
  });

  test('https metadata, or plain http on loopback (the local fake issuer), is taken as written', () => {
    for (const url of [
      'https://login.botframework.com/v1/.well-known/openidconfiguration',
      'http://127.0.0.1:4000/v1/.well-known/openidconfiguration',
      'http://localhost:4000/v1/.well-known/openidconfiguration',
    ])
      expect(loadConfig({ ACRBOT_CHANNEL_OPENID_METADATA_URL: url }).channelAuth.openIdMetadataUrl).toBe(url);
  });

  test.each(['api.botframework.com', 'http://api.botframework.com', 'https://', 'https://api.botframework.com?x'])(
    'a token issuer %s is refused',
    (value) => {
      expect(problemsOf({ ACRBOT_CHANNEL_TOKEN_ISSUER: value })).toEqual([ISSUER_PROBLEM]);
    },
  );

  test('a token issuer is kept exactly as written: it is compared with iss as a string', () => {
    for (const issuer of [
      'https://api.botframework.com',
      'https://sts.windows.net/22222222-2222-4222-8222-222222222222/',
      'https://API.botframework.com',
    ])
      expect(loadConfig({ ACRBOT_CHANNEL_TOKEN_ISSUER: issuer }).channelAuth.tokenIssuer).toBe(issuer);
  });
});
