/**
 * The process's DefaultAzureCredential (azure-credential.ts) honours a throttled token
 * endpoint's Retry-After only up to the cap every ARM and Graph call has (capped-retry.ts): the
 * SDK's retry inside the credential would wait out an hour, three times over, with every flow
 * that needs a token behind it. Past the cap the token request fails at once with the endpoint's
 * own error; within it the wait is honoured as before. The shared pooled client's sendRequest is
 * replaced by the test's Entra (nothing leaves the machine), as in proxy-azure-credential.test.ts.
 */
import type { PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { sharedAzureCredential } from '../../src/integrations/http/azure-credential';
import { sharedHttpClient } from '../../src/integrations/http/pooled-http-client';
import { withEnvironment } from '../helpers/forward-proxy';

const TENANT = '22222222-2222-4222-8222-222222222222';
const AUTHORITY = 'https://login.example.test';
/** An environment credential (the first of DefaultAzureCredential's chain) at the test's authority. */
const CREDENTIAL_ENV = {
  AZURE_TENANT_ID: TENANT,
  AZURE_CLIENT_ID: '11111111-1111-4111-8111-111111111111',
  AZURE_CLIENT_SECRET: 'not-a-real-secret',
  AZURE_AUTHORITY_HOST: AUTHORITY,
};

function answer(request: PipelineRequest, status: number, body: unknown, headers: Record<string, string> = {}) {
  return {
    request,
    status,
    headers: createHttpHeaders({ 'content-type': 'application/json', ...headers }),
    bodyAsText: JSON.stringify(body),
  } satisfies PipelineResponse;
}

/** Entra's discovery documents, and the token endpoint's answers in turn (the last one repeated). */
function fakeEntra(tokenAnswers: Array<(request: PipelineRequest) => PipelineResponse>): { tokenRequests: number } {
  const seen = { tokenRequests: 0 };
  const base = `${AUTHORITY}/${TENANT}`;
  jest.spyOn(sharedHttpClient(), 'sendRequest').mockImplementation(async (request) => {
    if (request.method === 'GET')
      return answer(
        request,
        200,
        request.url.includes('/discovery/instance')
          ? { tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`, metadata: [] }
          : {
              token_endpoint: `${base}/oauth2/v2.0/token`,
              issuer: `${base}/v2.0`,
              authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
              end_session_endpoint: `${base}/oauth2/v2.0/logout`,
              jwks_uri: `${base}/discovery/v2.0/keys`,
            },
      );
    const next = tokenAnswers[Math.min(seen.tokenRequests, tokenAnswers.length - 1)];
    seen.tokenRequests++;
    return next(request);
  });
  return seen;
}

const throttled = (retryAfter: string) => (request: PipelineRequest) =>
  answer(
    request,
    429,
    {
      error: 'temporarily_unavailable',
      error_description:
        'AADSTS50196: The server terminated an operation because it encountered a client request loop.',
      error_codes: [50196],
    },
    { 'retry-after': retryAfter, 'x-ms-request-id': 'entra-request-1' },
  );
const token = (request: PipelineRequest) =>
  answer(request, 200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: 'a-token' });

afterEach(() => jest.restoreAllMocks());
afterAll(async () => {
  await sharedHttpClient().close();
});

// Each test asks for its own scope: MSAL remembers a throttled scope (and a token) per scope.
test('a wait within the cap is waited out: the token request is sent again and answers', async () => {
  const seen = fakeEntra([throttled('0'), token]);
  await withEnvironment(CREDENTIAL_ENV, async () => {
    await expect(sharedAzureCredential().getToken('https://graph.microsoft.com/.default')).resolves.toMatchObject({
      token: 'a-token',
    });
  });
  expect(seen.tokenRequests).toBe(2);
});

test("a wait past the cap (an hour) is not sat out: the token request fails at once with Entra's own error", async () => {
  const seen = fakeEntra([throttled('3600'), token]);
  await withEnvironment(CREDENTIAL_ENV, async () => {
    // Without the cap the SDK's retry waits the hour and this never settles (the test times out).
    await expect(sharedAzureCredential().getToken('https://management.azure.com/.default')).rejects.toThrow(
      /AADSTS50196/,
    );
  });
  expect(seen.tokenRequests).toBe(1);
}, 20_000);
