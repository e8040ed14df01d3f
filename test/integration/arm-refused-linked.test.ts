/**
 * Only ARM's 403 AuthorizationFailed can be a deleted registry behind a refusal
 * (refused-or-gone.ts): a 403 LinkedAuthorizationFailed is about another resource, so it is kept
 * as it came, without reading the registry and without a "refused or gone" sentence that would
 * send an operator looking for a deleted registry. The real adapters over HTTPS against a local
 * server that refuses everything.
 */
import { CloudApiError } from '../../src/domain/ports';
import { RefusedOrGoneError } from '../../src/integrations/azure/refused-or-gone';
import { REGISTRY, REGISTRY_ID, useArmStandIn } from '../helpers/arm-stand-in';
import { json } from '../helpers/https-service';

const standIn = useArmStandIn('bearer-refused-linked');
const { arm } = standIn;

arm.handler = (_req, res) =>
  json(
    res,
    403,
    {
      error: {
        code: 'LinkedAuthorizationFailed',
        message: 'The client has permission on the registry, not on the linked scope.',
      },
    },
    { 'x-ms-request-id': 'arm-req-linked' },
  );

test('a role assignment listing refused with LinkedAuthorizationFailed stays that refusal; the registry is not read', async () => {
  const err = await standIn.roles
    .listForPrincipal(REGISTRY_ID, '22222222-2222-2222-2222-222222222222')
    .catch((e: unknown) => e);
  expect(err).not.toBeInstanceOf(RefusedOrGoneError);
  expect(err).toMatchObject({ statusCode: 403, code: 'LinkedAuthorizationFailed' });
  expect(arm.requests).toHaveLength(1);
});

test('a token delete refused with LinkedAuthorizationFailed fails with it, never as deleted or refused-or-gone', async () => {
  const err = await standIn.tokens.deleteToken(REGISTRY, 'tok1').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CloudApiError);
  expect(err).not.toBeInstanceOf(RefusedOrGoneError);
  expect(err).toMatchObject({ statusCode: 403, code: 'LinkedAuthorizationFailed', requestId: 'arm-req-linked' });
  expect(arm.requests.map((r) => r.method)).toEqual(['DELETE']);
});
