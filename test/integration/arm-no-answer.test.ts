/**
 * An ARM that accepts the connection and never answers: each ARM adapter's call is sent twice
 * (the first send and one resend), not four times as the SDK's default retry policy would, and
 * fails naming the call and the wait. The real adapters run over HTTPS against a local server
 * that never answers, through a pooled client whose answer timeout is shortened; the server
 * counts what it received.
 */
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import { CloudApiError } from '../../src/domain/ports';
import type { ArmConnection } from '../../src/integrations/azure/arm-connection';
import { ArmRegistryTokens } from '../../src/integrations/azure/arm-registry-tokens';
import { ArmRoleAssignments } from '../../src/integrations/azure/arm-role-assignments';
import { ArmResourceReader } from '../../src/integrations/azure/azure-resource-reader';
import { NoAnswerError } from '../../src/integrations/http/no-answer-policy';
import { PooledHttpClient } from '../../src/integrations/http/pooled-http-client';
import { createSandboxTls } from '../../src/sandbox/tls';
import { connectionTo, HttpsService, json } from '../helpers/https-service';

const SUB = '00000000-0000-0000-0000-000000000001';
const REGISTRY = { subscriptionId: SUB, resourceGroup: 'rg', name: 'acr1' };
const REGISTRY_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr1`;
/** Short, so a case takes the SDK's one backoff (about a second) more than twice this. */
const ANSWER_TIMEOUT_MS = 200;

const tls = createSandboxTls();
const arm = new HttpsService();
const http = new PooledHttpClient(createDefaultHttpClient(), ANSWER_TIMEOUT_MS, undefined);
let connection: ArmConnection;
let reader: ArmResourceReader;
let roles: ArmRoleAssignments;

beforeAll(async () => {
  await arm.start(tls);
  connection = { ...connectionTo(arm, tls.caPem, 'bearer'), httpClient: http };
  reader = new ArmResourceReader(connection);
  roles = new ArmRoleAssignments(connection);
});
afterAll(async () => {
  await arm.stop();
  await http.close();
  connection.agent?.destroy();
});
beforeEach(() => {
  arm.requests.length = 0;
  // Accepts the request and never answers.
  arm.handler = () => undefined;
});

/** What every case expects of the failure `err` of a call sent as `method` to `path`. */
function expectNoAnswer(err: unknown, method: string, path: string): void {
  expect(arm.requests).toHaveLength(2);
  const noAnswer = err instanceof NoAnswerError ? err : (err as { cause?: unknown }).cause;
  expect(noAnswer).toBeInstanceOf(NoAnswerError);
  // ARM's, by the field the message is made from: the shared error serves Graph too.
  expect(noAnswer).toMatchObject({
    service: 'ARM',
    target: `${method} ${arm.url}${path}`,
    code: 'ETIMEDOUT',
    sends: 2,
  });
  const message = (noAnswer as Error).message;
  expect(message).toContain(`ARM did not answer ${method} ${arm.url}${path}:`);
  // Never the query (api-version, and whatever else a URL could carry).
  expect(message).not.toContain('?');
  expect(message).toContain(`no answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
  // The last send's own failure stays underneath, for the log.
  expect((noAnswer as Error).cause).toMatchObject({ name: 'RestError', code: 'ETIMEDOUT' });
}

test('a read on the modular SDK client’s pipeline (ArmRest) is sent twice, then fails naming the endpoint and the wait', async () => {
  const err = await reader.getRegistry(SUB, 'rg', 'acr1').catch((e: unknown) => e);
  expectNoAnswer(err, 'GET', REGISTRY_ID);
});

test('a listing on the classic authorization client’s pipeline is sent twice', async () => {
  const err = await roles.listAssignedToAt(REGISTRY_ID, 'oid').catch((e: unknown) => e);
  expectNoAnswer(err, 'GET', `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments`);
});

test('an SDK operation (a registry token write) is sent twice and becomes a CloudApiError without a status', async () => {
  const err = await new ArmRegistryTokens(reader)
    .createToken(REGISTRY, 'tok', `${REGISTRY_ID}/scopeMaps/m`)
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CloudApiError);
  // No status: a write whose answer never came may have been applied (the runners' reading).
  expect(err).toMatchObject({ code: 'ETIMEDOUT', statusCode: undefined });
  expectNoAnswer(err, 'PUT', `${REGISTRY_ID}/tokens/tok`);
});

test('sends without an answer are counted apart from throttled ones, which are still waited out', async () => {
  // No answer, then a 429 to wait out, then no answer again: the second unanswered send ends it.
  let n = 0;
  arm.handler = (_req, res) => {
    if (++n === 2) json(res, 429, { error: { code: 'TooManyRequests' } }, { 'retry-after': '0' });
  };
  const err = await reader.getRegistry(SUB, 'rg', 'acr1').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(NoAnswerError);
  expect(err).toMatchObject({ service: 'ARM' });
  expect(arm.requests).toHaveLength(3);
});
