/**
 * A Microsoft Graph that accepts the connection and never answers: a call is sent twice (the
 * first send and one resend), not four times as the SDK's default retry policy would, and fails
 * naming the call and the wait, as an ARM call does (arm-no-answer.test.ts). The real
 * GraphClient runs over HTTPS against a local server that never answers, through a pooled
 * client whose answer timeout is shortened; the server counts what it received.
 */
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import type { Agent } from 'node:https';
import { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphUnconfirmedError } from '../../src/integrations/graph/graph-failure';
import { NoAnswerError } from '../../src/integrations/http/no-answer-policy';
import { PooledHttpClient } from '../../src/integrations/http/pooled-http-client';
import { createSandboxTls } from '../../src/sandbox/tls';
import { connectionTo, HttpsService, json } from '../helpers/https-service';

const APP = '00000000-0000-4000-8000-0000000000a1';
/** Short, so a case takes the SDK's one backoff (about a second) more than twice this. */
const ANSWER_TIMEOUT_MS = 200;

const tls = createSandboxTls();
const service = new HttpsService();
const http = new PooledHttpClient(createDefaultHttpClient(), ANSWER_TIMEOUT_MS, undefined);
let agent: Agent | undefined;
let graph: GraphClient;

beforeAll(async () => {
  await service.start(tls);
  const connection = connectionTo(service, tls.caPem, 'bearer');
  agent = connection.agent;
  graph = new GraphClient({ ...connection, httpClient: http });
});
afterAll(async () => {
  await service.stop();
  await http.close();
  agent?.destroy();
});
beforeEach(() => {
  service.requests.length = 0;
  // Accepts the request and never answers.
  service.handler = () => undefined;
});

test('a read is sent twice, then fails naming Graph, the endpoint and the wait (not the query)', async () => {
  const err = await graph.request('GET', `/applications/${APP}?$select=id`).catch((e: unknown) => e);
  expect(service.requests).toHaveLength(2);
  // Still the failure callers read as "sent, no answer known", with the id Graph's support asks for.
  expect(err).toBeInstanceOf(GraphUnconfirmedError);
  const { clientRequestId } = err as GraphUnconfirmedError;
  expect((err as Error).message).toBe(
    `Microsoft Graph did not answer GET (client request id ${clientRequestId}): no answer within ${ANSWER_TIMEOUT_MS / 1000} s (sent 2 times; not sent again)`,
  );
  const noAnswer = (err as Error).cause;
  expect(noAnswer).toBeInstanceOf(NoAnswerError);
  expect(noAnswer).toMatchObject({ code: 'ETIMEDOUT', sends: 2, service: 'Microsoft Graph' });
  expect((noAnswer as Error).message).toBe(
    `Microsoft Graph did not answer GET ${service.url}/v1.0/applications/${APP}: no answer within ${ANSWER_TIMEOUT_MS / 1000} s (sent 2 times; not sent again)`,
  );
  // The last send's own failure stays underneath, for the log.
  expect((noAnswer as Error).cause).toMatchObject({ name: 'RestError', code: 'ETIMEDOUT' });
});

test('a write that must not be resent is still sent once', async () => {
  const err = await graph
    .request('POST', `/applications/${APP}/addPassword`, {}, {}, { once: true })
    .catch((e: unknown) => e);
  expect(service.requests).toHaveLength(1);
  expect(err).toBeInstanceOf(GraphUnconfirmedError);
});

test('sends without an answer are counted apart from throttled ones, which are still waited out', async () => {
  // No answer, then a 429 to wait out, then no answer again: the second unanswered send ends it.
  let n = 0;
  service.handler = (_req, res) => {
    if (++n === 2) json(res, 429, { error: { code: 'TooManyRequests' } }, { 'retry-after': '0' });
  };
  const err = await graph.request('GET', `/applications/${APP}`).catch((e: unknown) => e);
  expect((err as Error).cause).toBeInstanceOf(NoAnswerError);
  expect(service.requests).toHaveLength(3);
});
