/**
 * A 403 AuthorizationFailed on a registry's scope, then a read of the registry that answers 404
 * SubscriptionNotFound (refused-or-gone.ts): ARM could not find the subscription, which says
 * nothing of whether the registry (and the token or role assignment acrbot is deleting) is still
 * there. The delete must fail with its refusal, never count as done (G15, G17). The real
 * adapters over HTTPS against a local server: writes refused, reads answered SubscriptionNotFound.
 */
import { CloudApiError } from '../../src/domain/ports';
import { REGISTRY, REGISTRY_ID, SUB, useArmStandIn } from '../helpers/arm-stand-in';
import { json } from '../helpers/https-service';

const standIn = useArmStandIn('bearer-refused-subscription');
const { arm } = standIn;

arm.handler = (req, res) =>
  req.method === 'GET'
    ? json(
        res,
        404,
        { error: { code: 'SubscriptionNotFound', message: `The subscription '${SUB}' could not be found.` } },
        { 'x-ms-request-id': 'arm-req-read-404' },
      )
    : json(
        res,
        403,
        {
          error: {
            code: 'AuthorizationFailed',
            message: 'The client does not have authorization to perform action.',
          },
        },
        { 'x-ms-request-id': 'arm-req-refused' },
      );

test('a refused role assignment delete is not done because the registry read answers SubscriptionNotFound', async () => {
  const err = await standIn.roles
    .delete({ scope: REGISTRY_ID, name: '11111111-1111-1111-1111-111111111111', subscriptionId: SUB })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CloudApiError);
  expect(err).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed', requestId: 'arm-req-refused' });
  expect(arm.requests.map((r) => r.method)).toEqual(['DELETE', 'GET']);
});

test('a refused token delete is not done because the registry read answers SubscriptionNotFound', async () => {
  const err = await standIn.tokens.deleteToken(REGISTRY, 'tok1').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CloudApiError);
  expect(err).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed', requestId: 'arm-req-refused' });
  expect(arm.requests.map((r) => r.method)).toEqual(['DELETE', 'GET']);
});
