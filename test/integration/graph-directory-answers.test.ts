/**
 * GraphDirectory counts only what it asked about: a checkMemberGroups answer, or a users
 * listing, that names an id outside the question (a proxy's or a faulty answer) never makes
 * someone a member of a group, or an enabled approver, that acrbot did not ask for (nor gives
 * anyone a display name: a nudge's read asks for them, `$select=id,displayName`); a group's
 * people are at most as many as asked for, whatever a page holds; and a listing whose links
 * never end fails at the page limit instead of reading on. The real
 * GraphClient over HTTPS against a local server standing in for Graph.
 */
import { GRAPH_MAX_PAGES, GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphDirectory } from '../../src/integrations/graph/graph-directory';
import { createSandboxTls } from '../../src/sandbox/tls';
import { connectionTo, HttpsService, json } from '../helpers/https-service';

const OBJECT = '11111111-1111-4111-8111-111111111111';
const ASKED = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const NOT_ASKED = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

const tls = createSandboxTls();
const graphService = new HttpsService();
let connection: ReturnType<typeof connectionTo>;
let directory: GraphDirectory;

beforeAll(async () => {
  await graphService.start(tls);
  connection = connectionTo(graphService, tls.caPem, 'bearer-graph-directory');
  directory = new GraphDirectory(new GraphClient({ ...connection, throttleBackoffMs: 1 }));
});
afterAll(async () => {
  connection.agent?.destroy();
  await graphService.stop();
});
beforeEach(() => {
  graphService.requests.length = 0;
});

test('checkMemberGroups naming a group acrbot did not ask about is no membership of it', async () => {
  graphService.handler = (_req, res) => json(res, 200, { value: [NOT_ASKED] });
  await expect(directory.isMemberOfGroup(OBJECT, ASKED)).resolves.toBe(false);
  graphService.handler = (_req, res) => json(res, 200, { value: [ASKED.toUpperCase(), NOT_ASKED] });
  await expect(directory.memberGroupsAmong(OBJECT, [ASKED])).resolves.toEqual([ASKED]);
  expect(graphService.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
    `POST /v1.0/directoryObjects/${OBJECT}/checkMemberGroups`,
    `POST /v1.0/directoryObjects/${OBJECT}/checkMemberGroups`,
  ]);
});

test('a users listing naming someone acrbot did not ask about does not make them an enabled approver', async () => {
  graphService.handler = (_req, res) => json(res, 200, { value: [{ id: ASKED }, { id: NOT_ASKED }] });
  await expect(directory.enabledUserIds([ASKED])).resolves.toEqual([ASKED]);
  expect(graphService.requests).toHaveLength(1);
});

test('the users listing a nudge reads asks for display names, keeps only those asked about, and no name that is no string', async () => {
  const OTHER = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
  graphService.handler = (_req, res) =>
    json(res, 200, {
      value: [
        { id: ASKED.toUpperCase(), displayName: 'Alex Approver' },
        { id: OTHER, displayName: null },
        { id: NOT_ASKED, displayName: 'Mallory' },
      ],
    });
  await expect(directory.enabledUsers([ASKED, OTHER])).resolves.toEqual([
    { id: ASKED, displayName: 'Alex Approver' },
    { id: OTHER },
  ]);
  const [read] = graphService.requests;
  const query = new URL(read!.url, 'https://graph.invalid').searchParams;
  expect(query.get('$select')).toBe('id,displayName');
  expect(query.get('$filter')).toBe(`id in ('${ASKED}','${OTHER}') and accountEnabled eq true`);
});

test('a group listing answering more people than asked for is cut to the number asked', async () => {
  const people = ['c', 'd', 'e'].map((x) => ({
    id: `${x.repeat(8)}-${x.repeat(4)}-4${x.repeat(3)}-8${x.repeat(3)}-${x.repeat(12)}`,
  }));
  graphService.handler = (_req, res) => json(res, 200, { value: people });
  await expect(directory.groupUserIds(ASKED, 2)).resolves.toEqual([people[0]!.id, people[1]!.id]);
});

test(`a listing whose next-page links never end fails after ${GRAPH_MAX_PAGES} pages`, async () => {
  let page = 0;
  graphService.handler = (_req, res) =>
    json(res, 200, { value: [{ id: ASKED }], '@odata.nextLink': `${graphService.url}/v1.0/users?page=${++page}` });
  await expect(directory.enabledUserIds([ASKED])).rejects.toThrow(`more than ${GRAPH_MAX_PAGES} pages`);
  expect(graphService.requests).toHaveLength(GRAPH_MAX_PAGES);
});
