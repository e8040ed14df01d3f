/**
 * The URL settings, parsed as URLs: the ARM and Graph endpoints (https, a host, no query,
 * fragment or credentials; a path only where the client appends its paths after it) and the
 * channel test hooks (an OpenID metadata URL; a token issuer kept exactly as written, since it is
 * compared with the tokens' `iss`).
 */
import { loadConfig } from '../../src/config/config';
import { AZURE, problemsOf } from './support/config-env';

const NO_HOST = (name: string, example: string) => `${name} must be an https:// URL with a host, e.g. ${example}`;
const ARM_EXAMPLE = 'https://management.usgovcloudapi.net';
const GRAPH_EXAMPLE = 'https://graph.microsoft.us';
const QUERY = 'must not have a query (?…) or fragment (#…): acrbot appends its request paths to it';

// In azure mode, where either endpoint may be set alone (a Graph gateway in front of public ARM);
// the sandbox takes both or neither (below).
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
      const problems = problemsOf({ ...AZURE, [name]: value });
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
    expect(problemsOf({ ...AZURE, ACRBOT_ARM_ENDPOINT: 'https://gateway.contoso.com/arm' })).toEqual([
      `ACRBOT_ARM_ENDPOINT must be the endpoint's origin only, e.g. ${ARM_EXAMPLE} (no path: tokens are asked for <endpoint>/.default)`,
    ]);
  });

  test('Graph takes a path (the client appends /v1.0 after it), but not one ending in the version', () => {
    expect(
      loadConfig({ ...AZURE, ACRBOT_GRAPH_ENDPOINT: 'https://Gateway.Contoso.com:443/graph/' }).graphEndpoint,
    ).toBe('https://gateway.contoso.com/graph');
    expect(problemsOf({ ...AZURE, ACRBOT_GRAPH_ENDPOINT: 'https://graph.microsoft.com/v1.0' })).toEqual([
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

  // The sandbox's ARM and Graph emulators are started together: with one external and no
  // emulator started, the start died on `sandbox.graphUrl` of an undefined sandbox.
  test.each([
    ['ACRBOT_ARM_ENDPOINT', 'ACRBOT_GRAPH_ENDPOINT', 'https://127.0.0.1:9'],
    ['ACRBOT_GRAPH_ENDPOINT', 'ACRBOT_ARM_ENDPOINT', 'https://127.0.0.1:9/graph'],
  ])('sandbox mode: %s without %s is refused, naming both', (set, unset, value) => {
    const problem =
      `${set} is set without ${unset}: in sandbox mode the ARM and Graph emulators run together, so set both ` +
      '(external emulators, their CA in NODE_EXTRA_CA_CERTS) or neither (acrbot starts its own)';
    expect(problemsOf({ ACRBOT_MODE: 'sandbox', [set]: value })).toEqual([problem]);
    // Blank counts as unset, and a malformed endpoint still counts as set: both problems at once.
    expect(problemsOf({ ACRBOT_MODE: 'sandbox', [set]: value, [unset]: '  ' })).toEqual([problem]);
    expect(problemsOf({ ACRBOT_MODE: 'sandbox', [set]: 'http://x', [unset]: '' })).toHaveLength(2);
    // Azure mode takes either alone (the other is the public cloud's).
    expect(loadConfig({ ...AZURE, [set]: value })).toMatchObject({
      [set === 'ACRBOT_ARM_ENDPOINT' ? 'armEndpoint' : 'graphEndpoint']: value,
    });
  });

  test('sandbox mode takes both (external emulators) or neither', () => {
    expect(
      loadConfig({
        ACRBOT_MODE: 'sandbox',
        ACRBOT_ARM_ENDPOINT: 'https://127.0.0.1:9',
        ACRBOT_GRAPH_ENDPOINT: 'https://127.0.0.1:9',
      }),
    ).toMatchObject({ mode: 'sandbox', armEndpoint: 'https://127.0.0.1:9', graphEndpoint: 'https://127.0.0.1:9' });
    expect(loadConfig({ ACRBOT_MODE: 'sandbox' })).toMatchObject({ armEndpoint: undefined, graphEndpoint: undefined });
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
