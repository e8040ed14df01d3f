/**
 * A Graph read whose failure must not read as a refusal of the write before it (the application
 * read after its upsert: `graphFailure(…, false)`) hides its status from the port's error, so the
 * secret run does not take a 404 there for "nothing created". Graph's answer stays on the error's
 * cause all the same, named as Graph's: a 503 there is a passing failure of Microsoft Graph for
 * the outage summary (not of ARM), and the port's error keeps Graph's request id for the log.
 */
import { CloudApiError } from '../../src/domain/ports';
import { passingFailure } from '../../src/flows/outage-report-failure';
import type { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphError, graphFailure } from '../../src/integrations/graph/graph-failure';
import { GraphServicePrincipals } from '../../src/integrations/graph/graph-service-principals';

/** Graph: the upsert answers 204 (the application exists), the read after it `status`. */
function graph(status: number, code: string): GraphClient {
  return {
    request: async (method: string) => {
      if (method === 'PATCH') return { status: 204, requestId: 'patch-rid' };
      throw new GraphError(status, code, 'read-rid', undefined, { ids: { clientRequestId: 'client-rid' } });
    },
  } as unknown as GraphClient;
}

async function upsertFailure(status: number, code: string): Promise<unknown> {
  const principals = new GraphServicePrincipals(graph(status, code), [], async () => undefined);
  return principals.upsertApplication('acrbot-app', 'acrbot app').then(
    () => undefined,
    (err: unknown) => err,
  );
}

test('the application read after its upsert answered 503: a passing failure of Microsoft Graph, its status off the port error', async () => {
  const err = await upsertFailure(503, 'ServiceUnavailable');
  expect(err).toBeInstanceOf(CloudApiError);
  // Hidden where the run reads it: not the upsert's refusal (what `false` is for).
  expect(err).toMatchObject({ statusCode: undefined, requestId: 'read-rid', service: 'Microsoft Graph' });
  expect((err as Error).message).toBe('application read after its upsert failed');
  expect(passingFailure(err)).toEqual({
    service: 'Microsoft Graph',
    answer: '503 ServiceUnavailable',
    key: 'Microsoft Graph:503',
  });
});

test('the same read answered 404 (after the replication retries): no status on the port error, and not passing', async () => {
  const err = await upsertFailure(404, 'Request_ResourceNotFound');
  expect(err).toMatchObject({ statusCode: undefined, requestId: 'read-rid' });
  expect(passingFailure(err)).toBeUndefined();
});

test('a Graph failure whose status is kept is summed up as Graph the same way', () => {
  const err = graphFailure(new GraphError(429, 'TooManyRequests', 'rid'), 'application lookup failed');
  expect(passingFailure(err)).toEqual({
    service: 'Microsoft Graph',
    answer: '429 TooManyRequests',
    key: 'Microsoft Graph:429',
  });
});
