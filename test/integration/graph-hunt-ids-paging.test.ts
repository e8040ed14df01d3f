/**
 * acrbot's Graph adapters against a Graph of the test's own (HTTPS, recording every request):
 * - an application's owners are read over every page (`@odata.nextLink`), so an owner on a
 *   later page is not missed when acrbot decides whether it holds the application alone (G15);
 *   a link to another host is not followed (the bearer token would go with it);
 * - an id that is not a GUID never becomes part of a URL: `..` would be resolved as a dot
 *   segment (`/applications/../addPassword` is sent as `/addPassword`), `'` would end an OData
 *   key literal. Lookups answer "none", writes fail like Graph's own 400, with no request sent.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphError } from '../../src/integrations/graph/graph-failure';
import { GraphDirectory } from '../../src/integrations/graph/graph-directory';
import { GraphServicePrincipals } from '../../src/integrations/graph/graph-service-principals';
import { OwnGraph } from '../helpers/own-graph';

const APP_ID = '3c000000-0000-4000-8000-0000000000a1';
const BOT_SP = '3c000000-0000-4000-8000-0000000000b2';
const OTHER_USER = '3c000000-0000-4000-8000-0000000000c3';
const GROUP = '3c000000-0000-4000-8000-0000000000d4';

type Answer = (req: IncomingMessage, origin: string) => { status: number; body?: unknown };

/** The test's Graph: `answer` decides each reply; `seen` records "METHOD path" of each request. */
class AnsweringGraph extends OwnGraph {
  readonly seen: string[] = [];
  answer: Answer = () => ({ status: 404, body: { error: { code: 'Request_ResourceNotFound', message: 'x' } } });

  protected override receive(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    this.seen.push(`${req.method} ${req.url}`);
    const { status, body } = this.answer(req, this.url);
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(body === undefined ? '' : JSON.stringify(body));
  }
}

const graph = new AnsweringGraph();
beforeAll(() => graph.start());
afterAll(() => graph.stop());
beforeEach(() => {
  graph.seen.length = 0;
});

/**
 * Owners on two pages (the first shorter than any page size), and an application with no
 * credentials (no federated identity credential either).
 */
function ownersOnTwoPages(nextLink: (origin: string) => string): Answer {
  return (req, origin) => {
    const path = new URL(req.url!, origin).pathname;
    if (path === `/v1.0/applications/${APP_ID}/owners` && !req.url!.includes('skiptoken'))
      return {
        status: 200,
        body: {
          value: [{ '@odata.type': '#microsoft.graph.servicePrincipal', id: BOT_SP }],
          '@odata.nextLink': nextLink(origin),
        },
      };
    if (path === `/v1.0/applications/${APP_ID}/owners`)
      return { status: 200, body: { value: [{ '@odata.type': '#microsoft.graph.user', id: OTHER_USER }] } };
    if (path === `/v1.0/applications/${APP_ID}`)
      return { status: 200, body: { passwordCredentials: [], keyCredentials: [] } };
    if (path === `/v1.0/applications/${APP_ID}/federatedIdentityCredentials`)
      return { status: 200, body: { value: [] } };
    return { status: 404, body: { error: { code: 'Request_ResourceNotFound', message: 'x' } } };
  };
}

describe('an application’s owners are read over every page', () => {
  test('an owner on the second page is seen: the application is not acrbot’s alone', async () => {
    graph.answer = ownersOnTwoPages((origin) => `${origin}/v1.0/applications/${APP_ID}/owners?$skiptoken=page2`);
    const inspection = await new GraphServicePrincipals(graph.client()).inspectApplication(APP_ID);
    expect(inspection.owners).toEqual([
      { id: BOT_SP, type: 'servicePrincipal' },
      { id: OTHER_USER, type: 'user' },
    ]);
    expect(graph.seen).toContain(`GET /v1.0/applications/${APP_ID}/owners?$skiptoken=page2`);
  });

  test('a next-page link to another host is not followed: the read fails instead of answering part of the list', async () => {
    graph.answer = ownersOnTwoPages(
      () => `https://graph.example.invalid/v1.0/applications/${APP_ID}/owners?$skiptoken=x`,
    );
    const err = await new GraphServicePrincipals(graph.client()).inspectApplication(APP_ID).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'application read failed' });
    expect(((err as Error).cause as Error).message).toMatch(
      /link to the next page is not under https:\/\/127\.0\.0\.1/,
    );
    expect(graph.seen.filter((s) => s.includes('skiptoken'))).toEqual([]);
  });
});

describe('an id that is not a GUID never reaches a Graph URL', () => {
  const ids = ['..', "x')", '.', `${APP_ID}/owners`];

  test.each(ids)('writes on application %p fail as Graph’s 400 would, with no request sent', async (id) => {
    const sps = new GraphServicePrincipals(graph.client());
    const end = new Date(Date.now() + 86_400_000).toISOString();
    for (const call of [
      () => sps.addPassword(id, end, 'marker'),
      () => sps.removePassword(id, '3c000000-0000-4000-8000-0000000000e5'),
      () => sps.deleteApplication(id),
      () => sps.inspectApplication(id),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'Request_BadRequest', statusCode: 400 });
      expect((err as Error).cause).toBeInstanceOf(GraphError);
      expect(((err as Error).cause as Error).message).toContain('is not a GUID; refused before any call');
    }
    expect(graph.seen).toEqual([]);
  });

  test.each(ids)('lookups of %p answer none, with no request sent', async (id) => {
    const directory = new GraphDirectory(graph.client());
    await expect(directory.servicePrincipalObjectId(id)).resolves.toBeUndefined();
    await expect(directory.isMemberOfGroup(id, GROUP)).resolves.toBe(false);
    await expect(directory.isMemberOfGroup(BOT_SP, id)).resolves.toBe(false);
    await expect(new GraphServicePrincipals(graph.client()).findServicePrincipal(id)).resolves.toBeUndefined();
    expect(graph.seen).toEqual([]);
  });

  test('a GUID still goes through, in any case of its hex digits', async () => {
    graph.answer = () => ({ status: 200, body: { id: BOT_SP, appId: APP_ID.toUpperCase() } });
    await expect(new GraphDirectory(graph.client()).servicePrincipalObjectId(APP_ID.toUpperCase())).resolves.toBe(
      BOT_SP,
    );
    expect(graph.seen).toEqual([`GET /v1.0/servicePrincipals(appId='${APP_ID.toUpperCase()}')?$select=id,appId`]);
  });
});
