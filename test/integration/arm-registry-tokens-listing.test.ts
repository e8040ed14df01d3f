/**
 * `ArmRegistryTokens.missingTokenReason` looks for a registry gone from its recorded id in the
 * registry listing of each configured subscription. That listing goes through ArmRest (as every
 * other ARM listing), not the SDK's pager: a nextLink to another origin gets no request (and so
 * no bearer token), a nextLink round a loop ends the listing, and either fails the call with a
 * `registry listing failed` naming the refusal (the revocation is retried and reported) instead
 * of hanging. A listing refused (403) is still skipped, and a same-origin next page still read.
 * The real adapter runs over HTTPS against small local servers.
 */
import { CloudApiError } from '../../src/domain/ports';
import type { ArmConnection } from '../../src/integrations/azure/arm-connection';
import { ArmRegistryTokens } from '../../src/integrations/azure/arm-registry-tokens';
import { ArmResourceReader } from '../../src/integrations/azure/azure-resource-reader';
import { createSandboxTls } from '../../src/sandbox/tls';
import { connectionTo, HttpsService, json, type ServiceHandler as Handler } from '../helpers/https-service';

const BEARER = 'SENTINEL-bearer-token-7c2d';
const SUB = '00000000-0000-0000-0000-000000000001';
const SUB2 = '00000000-0000-0000-0000-000000000002';
const REGISTRY = { subscriptionId: SUB, resourceGroup: 'rg', name: 'acrone' };
const MISSING = { tokenName: 'tok', scopeMapName: 'map' };
const LISTING = `/subscriptions/${SUB}/providers/Microsoft.ContainerRegistry/registries`;
const MOVED_ID = `/subscriptions/${SUB}/resourceGroups/rg2/providers/Microsoft.ContainerRegistry/registries/acrone`;

const notFound = { error: { code: 'ResourceNotFound', message: 'not found' } };

/** A registry of the wire, named `name`, at `id`. */
function wireRegistry(id: string, name: string): unknown {
  return {
    id,
    name,
    type: 'Microsoft.ContainerRegistry/registries',
    location: 'westeurope',
    sku: { name: 'Basic', tier: 'Basic' },
    properties: { loginServer: `${name}.azurecr.io`, provisioningState: 'Succeeded' },
  };
}

/**
 * ARM where the recorded registry reads 404 and the subscription's registry listing answers
 * `page(query)`; everything else (token reads, name checks) 404.
 */
function armWith(page: (query: URLSearchParams) => unknown, other: Partial<Record<string, Handler>> = {}): Handler {
  return (req, res, url) => {
    const { pathname: path, searchParams } = new URL(url, 'https://x');
    const handler = other[path];
    if (handler) return handler(req, res, path);
    if (path === LISTING) return json(res, 200, page(searchParams));
    json(res, 404, notFound);
  };
}

const tls = createSandboxTls();
const arm = new HttpsService();
const foreign = new HttpsService();
let connection: ArmConnection;
let tokens: ArmRegistryTokens;

beforeAll(async () => {
  await arm.start(tls);
  await foreign.start(tls);
  connection = connectionTo(arm, tls.caPem, BEARER);
  const reader = new ArmResourceReader(connection);
  tokens = new ArmRegistryTokens(reader, { subscriptionIds: [SUB, SUB2] });
});
afterAll(async () => {
  connection.agent?.destroy();
  await arm.stop();
  await foreign.stop();
});
beforeEach(() => {
  arm.requests.length = 0;
  foreign.requests.length = 0;
});

const listingRequests = (): number => arm.requests.filter((r) => r.url.startsWith(`${LISTING}?`)).length;

test('a registries page whose nextLink points at another origin: no request there, and the call fails naming the refusal', async () => {
  foreign.handler = (_req, res) => json(res, 200, { value: [] });
  arm.handler = armWith(() => ({
    value: [
      wireRegistry(
        `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/other`,
        'other',
      ),
    ],
    nextLink: `${foreign.url}${LISTING}?api-version=2025-11-01&$skipToken=steal`,
  }));
  const err = await tokens.missingTokenReason(REGISTRY, MISSING).catch((e: unknown) => e);
  expect(foreign.requests).toHaveLength(0);
  expect(err).toBeInstanceOf(CloudApiError);
  expect((err as Error).message).toContain('registry listing failed');
  expect((err as Error).message).toContain(`answered a nextLink to ${foreign.url}, not ${arm.url}; not followed`);
  expect((err as Error).message).not.toContain(BEARER);
  expect(listingRequests()).toBe(1);
});

test('a registries page whose nextLink points back at itself ends the call instead of looping', async () => {
  arm.handler = armWith(() => ({ value: [], nextLink: `${arm.url}${LISTING}?api-version=2025-11-01&$skipToken=same` }));
  const err = await tokens.missingTokenReason(REGISTRY, MISSING).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CloudApiError);
  expect((err as Error).message).toContain('registry listing failed');
  expect((err as Error).message).toMatch(/already fetched \(a loop\)/);
  expect(listingRequests()).toBe(2);
});

test('a same-origin next page is read, and a subscription whose listing is refused is skipped', async () => {
  arm.handler = armWith(
    (query) =>
      query.get('$skipToken') === '2'
        ? { value: [wireRegistry(MOVED_ID, 'acrone')] }
        : { value: [], nextLink: `${arm.url}${LISTING}?api-version=2025-11-01&$skipToken=2` },
    {
      [`/subscriptions/${SUB2}/providers/Microsoft.ContainerRegistry/registries`]: (_req, res) =>
        json(res, 403, { error: { code: 'AuthorizationFailed', message: 'no read on the subscription' } }),
    },
  );
  const reason = await tokens.missingTokenReason(REGISTRY, MISSING);
  expect(reason?.note).toContain(`token tok is not in the registry of that name now at ${MOVED_ID}`);
  expect(reason?.unconfirmed).toBeUndefined();
  expect(listingRequests()).toBe(2);
  expect(arm.requests.filter((r) => r.url.startsWith(`/subscriptions/${SUB2}/`))).toHaveLength(1);
  expect(arm.requests.every((r) => r.authorization === `Bearer ${BEARER}`)).toBe(true);
});
