/**
 * The process's DefaultAzureCredential (azure-credential.ts) signs in as the identity acrbot
 * checked at start: AZURE_CLIENT_ID is read trimmed by loadConfig, and the SDK, which reads
 * process.env itself, is given the same value (a trailing `\r` from `az … -o tsv` on Windows,
 * or a space) and no client id at all for a blank one. The managed identity endpoint is App
 * Service's (IDENTITY_ENDPOINT/IDENTITY_HEADER), answered by the test through the shared pooled
 * client (nothing leaves the machine), as in credential-retry-after-cap.test.ts.
 */
import type { PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { normaliseAzureIdentityEnvironment, sharedAzureCredential } from '../../src/integrations/http/azure-credential';
import { sharedHttpClient } from '../../src/integrations/http/pooled-http-client';
import { withEnvironment } from '../helpers/forward-proxy';

const CLIENT_ID = '11111111-1111-4111-8111-111111111111';

afterEach(() => jest.restoreAllMocks());
afterAll(async () => {
  await sharedHttpClient().close();
});

/** App Service's managed identity endpoint: a token for CLIENT_ID only, as a user-assigned identity's. */
function fakeIdentityEndpoint(): { clientIds: Array<string | null> } {
  const seen = { clientIds: [] as Array<string | null> };
  jest.spyOn(sharedHttpClient(), 'sendRequest').mockImplementation(async (request: PipelineRequest) => {
    const clientId = new URL(request.url).searchParams.get('client_id');
    seen.clientIds.push(clientId);
    const ok = clientId === CLIENT_ID;
    return {
      request,
      status: ok ? 200 : 400,
      headers: createHttpHeaders({ 'content-type': 'application/json' }),
      bodyAsText: JSON.stringify(
        ok
          ? {
              access_token: 'a-token',
              expires_on: String(Math.floor(Date.now() / 1000) + 3600),
              resource: 'https://management.azure.com',
              token_type: 'Bearer',
              client_id: clientId,
            }
          : { statusCode: 400, message: 'No User Assigned or Delegated Managed Identity found for specified ClientId' },
      ),
    } satisfies PipelineResponse;
  });
  return seen;
}

test('AZURE_CLIENT_ID with a trailing CR and space: the token request names the identity acrbot checked', async () => {
  await withEnvironment(
    {
      AZURE_CLIENT_ID: `${CLIENT_ID} \r`,
      IDENTITY_ENDPOINT: 'http://127.0.0.1:41234/msi/token',
      IDENTITY_HEADER: 'test-header',
      AZURE_TENANT_ID: undefined,
      AZURE_CLIENT_SECRET: undefined,
      AZURE_FEDERATED_TOKEN_FILE: undefined,
    },
    async () => {
      const seen = fakeIdentityEndpoint();
      await expect(sharedAzureCredential().getToken('https://management.azure.com/.default')).resolves.toMatchObject({
        token: 'a-token',
      });
      expect(seen.clientIds).toEqual([CLIENT_ID]);
      expect(process.env.AZURE_CLIENT_ID).toBe(CLIENT_ID);
    },
  );
});

describe('normaliseAzureIdentityEnvironment', () => {
  test('trims the identity variables and deletes blank ones, as acrbot reads its settings', () => {
    const env: NodeJS.ProcessEnv = {
      AZURE_CLIENT_ID: ` ${CLIENT_ID}\r\n`,
      AZURE_TENANT_ID: '   ',
      AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/ ',
      AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token\r',
    };
    normaliseAzureIdentityEnvironment(env);
    expect(env).toEqual({
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/',
      AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token',
    });
  });

  test('leaves a quoted value (loadConfig refuses the start on it), secrets and other variables alone', () => {
    const env: NodeJS.ProcessEnv = {
      AZURE_CLIENT_ID: `"${CLIENT_ID}"`,
      AZURE_CLIENT_SECRET: ' secret ',
      OTHER: ' x ',
    };
    normaliseAzureIdentityEnvironment(env);
    expect(env).toEqual({ AZURE_CLIENT_ID: `"${CLIENT_ID}"`, AZURE_CLIENT_SECRET: ' secret ', OTHER: ' x ' });
  });
});
