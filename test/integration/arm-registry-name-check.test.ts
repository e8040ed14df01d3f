/**
 * A registry not at its recorded id and listed nowhere acrbot can see: ARM's checkNameAvailability
 * is asked (arm-registry-tokens.ts, missingTokenReason). Only its refusal (403: a subscription
 * action acrbot's deployment does not grant) lets the revocation end unconfirmed; any other
 * failure of the check is thrown, to be retried, never taken as "cannot ask". The real adapter
 * over HTTPS against a local server standing in for ARM. A registry of that name listed with an
 * id not in ARM's own shape is not taken for the moved registry (its id would be quoted to people).
 */
import { CloudApiError } from '../../src/domain/ports';
import { SUB, useArmStandIn } from '../helpers/arm-stand-in';
import { json } from '../helpers/https-service';

const REGISTRY = { subscriptionId: SUB, resourceGroup: 'rg', name: 'acrone' };
const MISSING = { tokenName: 'tok', scopeMapName: 'map' };
const LISTING = `/subscriptions/${SUB}/providers/Microsoft.ContainerRegistry/registries`;
const NAME_CHECK = `/subscriptions/${SUB}/providers/Microsoft.ContainerRegistry/checkNameAvailability`;

const standIn = useArmStandIn('bearer-name-check');
const { arm } = standIn;

/** The registry gone from its id and listed nowhere; the name check answered `status` with `code`. */
function nameCheckAnswers(status: number, code: string, listed: unknown[] = []): void {
  arm.handler = (_req, res, url) => {
    const path = new URL(url, 'https://x').pathname;
    if (path === LISTING) return json(res, 200, { value: listed });
    if (path === NAME_CHECK)
      return json(
        res,
        status,
        { error: { code, message: `name check answered ${code}` } },
        { 'x-ms-request-id': 'arm-req-name' },
      );
    json(res, 404, { error: { code: 'ResourceNotFound', message: 'not found' } });
  };
}

test('a name check that fails otherwise than refused is thrown, not taken for "may not ask"', async () => {
  nameCheckAnswers(400, 'InvalidRequestFormat');
  const err = await standIn.tokens.missingTokenReason(REGISTRY, MISSING).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CloudApiError);
  expect(err).toMatchObject({ statusCode: 400, code: 'InvalidRequestFormat', requestId: 'arm-req-name' });
  expect((err as Error).message).toMatch(/^registry name check failed/);
});

test('a refused name check ends unconfirmed', async () => {
  nameCheckAnswers(403, 'AuthorizationFailed');
  const reason = await standIn.tokens.missingTokenReason(REGISTRY, MISSING);
  expect(reason?.unconfirmed).toContain('acrbot may not ask Azure whether its name is in use elsewhere');
});

test('a registry of that name listed with an id not in ARM’s shape is not the moved registry: never read, never quoted', async () => {
  const oddId = `/subscriptions/not-a-subscription/resourceGroups/rg2/providers/Microsoft.ContainerRegistry/registries/acrone`;
  nameCheckAnswers(403, 'AuthorizationFailed', [
    { id: oddId, name: 'acrone', type: 'Microsoft.ContainerRegistry/registries', properties: {} },
  ]);
  const reason = await standIn.tokens.missingTokenReason(REGISTRY, MISSING);
  expect(reason?.unconfirmed).toContain('acrbot may not ask Azure whether its name is in use elsewhere');
  expect(JSON.stringify(reason)).not.toContain('not-a-subscription');
  expect(arm.requests.filter((r) => r.url.includes('not-a-subscription'))).toEqual([]);
});
