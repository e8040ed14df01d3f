/**
 * The pull check's reading of the registry token ACR answers with (acr-pull-probe.ts): only `pull`
 * (or `*`) on the check's repository is a credential that pulls; a token that cannot be read is no
 * verdict at all. And the request it sends carries the run's abort signal and a bounded timeout.
 */
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { SecretValue } from '../../src/domain/secret-value';
import { AcrPullProbe, answerOf, PULL_CHECK_REPOSITORY } from '../../src/integrations/azure/acr-pull-probe';

const credential = {
  username: '11111111-2222-4333-8444-555555555555',
  password: new SecretValue('abc8Q~not-a-real-secret-0123456789abcdef'),
};

/** A 200 whose registry token carries `claims`. */
function tokenWithClaims(claims: unknown): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return JSON.stringify({ access_token: `eyJhbGciOiJSUzI1NiJ9.${payload}.sig` });
}

describe('what a 200 says', () => {
  test.each([
    [
      'push without pull on the check repository',
      tokenWithClaims({ access: [{ type: 'repository', name: PULL_CHECK_REPOSITORY, actions: ['push'] }] }),
      'denied',
    ],
    [
      'pull granted to something that is not a repository',
      tokenWithClaims({ access: [{ type: 'registry', name: PULL_CHECK_REPOSITORY, actions: ['pull'] }] }),
      'denied',
    ],
    ['a token without an access claim', tokenWithClaims({ sub: 'someone' }), 'denied'],
    ['a token that is not a JWT', JSON.stringify({ access_token: 'opaque' }), 'unreachable'],
    ['an answer without access_token', JSON.stringify({ token: 'x' }), 'unreachable'],
  ])('%s: %s', (_what, body, expected) => {
    expect(answerOf(200, body)).toBe(expected);
  });
});

describe('the request', () => {
  function answering(): HttpClient & { sent?: PipelineRequest } {
    const client: HttpClient & { sent?: PipelineRequest } = {
      sendRequest: async (request): Promise<PipelineResponse> => {
        client.sent = request;
        return { status: 401, headers: createHttpHeaders(), request, bodyAsText: '' };
      },
    };
    return client;
  }

  test("carries the run's abort signal, so a stopping run does not wait for the registry", async () => {
    const http = answering();
    const controller = new AbortController();
    await new AcrPullProbe({ http }).canPull({ loginServer: 'contosoacr.azurecr.io' }, credential, controller.signal);
    expect(http.sent!.abortSignal).toBe(controller.signal);
  });

  test('is bounded by a timeout when none is given', async () => {
    const http = answering();
    await new AcrPullProbe({ http }).canPull({ loginServer: 'contosoacr.azurecr.io' }, credential);
    expect(http.sent!.timeout).toBeGreaterThan(0);
  });
});
