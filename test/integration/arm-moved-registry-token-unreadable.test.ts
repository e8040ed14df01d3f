/**
 * A token acrbot recorded is not found because its registry is no longer at its recorded id,
 * and the registry of that name acrbot lists elsewhere refuses the read of the token
 * (arm-registry-tokens.ts, missingTokenReason): acrbot cannot tell whether the token, whose
 * password still signs in, is there. That is a RegistryMovedError (retried and reported), never
 * "not in the registry now at …", which would end the credential in acrbot's records. The real
 * adapter over HTTPS against a local server standing in for ARM.
 */
import { RegistryMovedError } from '../../src/integrations/azure/arm-registry-tokens';
import { SUB, useArmStandIn } from '../helpers/arm-stand-in';
import { json } from '../helpers/https-service';

const REGISTRY = { subscriptionId: SUB, resourceGroup: 'rg', name: 'acrone' };
const MISSING = { tokenName: 'tok', scopeMapName: 'map' };
const LISTING = `/subscriptions/${SUB}/providers/Microsoft.ContainerRegistry/registries`;
const MOVED_ID = `/subscriptions/${SUB}/resourceGroups/rg2/providers/Microsoft.ContainerRegistry/registries/acrone`;

const standIn = useArmStandIn('bearer-moved-token-unreadable');
const { arm } = standIn;

arm.handler = (_req, res, url) => {
  const path = new URL(url, 'https://x').pathname;
  if (path === LISTING)
    return json(res, 200, {
      value: [
        {
          id: MOVED_ID,
          name: 'acrone',
          type: 'Microsoft.ContainerRegistry/registries',
          location: 'westeurope',
          properties: { loginServer: 'acrone.azurecr.io', provisioningState: 'Succeeded' },
        },
      ],
    });
  if (path.startsWith(`${MOVED_ID}/tokens/`))
    return json(
      res,
      403,
      { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization.' } },
      { 'x-ms-request-id': 'arm-req-token-refused' },
    );
  json(res, 404, { error: { code: 'ResourceNotFound', message: 'not found' } });
};

test('the token read refused at the registry of that name elsewhere: moved, not "not there"', async () => {
  const err = await standIn.tokens.missingTokenReason(REGISTRY, MISSING).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RegistryMovedError);
  expect((err as Error).message).toContain(`a registry of that name is at ${MOVED_ID}`);
  expect((err as Error).message).toContain('acrbot could not read whether it holds token tok');
  expect((err as Error).cause).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
  // The recorded registry, the listing and the token read there; nothing deleted anywhere.
  expect(arm.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
});
