/**
 * The process's one DefaultAzureCredential (src/integrations/http/azure-credential.ts), shared by
 * ARM, Graph, the Tables stores and the anchor blobs, sends its token requests on the process's
 * pooled HTTP client, the one whose proxy decision and bounded waits
 * test/integration/outbound-proxy.test.ts checks. The shared client's sendRequest is watched
 * and refuses every request (nothing leaves the machine); where they went is what is checked.
 */
import { sharedAzureCredential } from '../../src/integrations/http/azure-credential';
import { sharedHttpClient } from '../../src/integrations/http/pooled-http-client';
import { withEnvironment } from '../helpers/forward-proxy';

/** An environment credential (the first of DefaultAzureCredential's chain) with an authority never reached. */
const CREDENTIAL_ENV = {
  AZURE_TENANT_ID: '22222222-2222-4222-8222-222222222222',
  AZURE_CLIENT_ID: '11111111-1111-4111-8111-111111111111',
  AZURE_CLIENT_SECRET: 'not-a-real-secret',
  AZURE_AUTHORITY_HOST: 'https://login.example.test',
};

afterAll(async () => {
  await sharedHttpClient().close();
});

test('one credential per process, whose token requests go on the shared pooled client', async () => {
  const seen: string[] = [];
  const send = jest.spyOn(sharedHttpClient(), 'sendRequest').mockImplementation(async (request) => {
    seen.push(new URL(request.url).origin);
    // Not a network error: the SDK's retry policy gives up at once.
    throw new Error('refused by the test');
  });
  try {
    await withEnvironment(CREDENTIAL_ENV, async () => {
      const credential = sharedAzureCredential();
      expect(sharedAzureCredential()).toBe(credential);
      await expect(credential.getToken('https://management.azure.com/.default')).rejects.toThrow();
    });
  } finally {
    send.mockRestore();
  }
  expect(seen.length).toBeGreaterThan(0);
  expect(
    seen.every((origin) => ['https://login.example.test', 'https://login.microsoftonline.com'].includes(origin)),
  ).toBe(true);
});
