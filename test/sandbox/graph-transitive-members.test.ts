/**
 * The Graph emulator's `GET /groups/{id}/transitiveMembers[/microsoft.graph.user]` over HTTPS, as
 * acrbot reads it when a request is made: nested groups flattened, the user cast keeping people
 * only, `$top` pages followed through `@odata.nextLink`, and Graph's errors for an unknown group,
 * a cast to a type no group holds and a cast without the advanced query parameters.
 */
import { httpsJson, type JsonResponse } from '../../src/sandbox/http-util';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

let sandbox: Sandbox;

const id = (n: number) => `0c000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const OUTER = id(1);
const INNER = id(2);
const EMPTY = id(3);
const [ANNA, BEN, CARA] = [id(11), id(12), id(13)];
const DORA = id(14);
const DISABLED = id(4);
const ROBOT = id(21);
const ADVANCED = { ConsistencyLevel: 'eventual' };

beforeAll(async () => {
  sandbox = await startSandbox();
  const directory = sandbox.directory;
  for (const [user, name] of [
    [ANNA, 'Anna'],
    [BEN, 'Ben'],
    [CARA, 'Cara'],
  ] as const)
    directory.addUser({ id: user, displayName: name });
  directory.addServicePrincipal({ id: ROBOT, appId: id(22), displayName: 'robot' });
  directory.addGroup({ id: INNER, displayName: 'inner', members: [BEN, CARA, ROBOT] });
  // ANNA, then the nested group, then CARA again through OUTER itself: each object once.
  directory.addGroup({ id: OUTER, displayName: 'outer', members: [ANNA, INNER, CARA] });
  directory.addGroup({ id: EMPTY, displayName: 'nobody' });
  directory.addUser({ id: DORA, displayName: 'Dora', accountEnabled: false });
  directory.addGroup({ id: DISABLED, displayName: 'with a disabled account', members: [ANNA, DORA] });
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.graph.clearRequests());

function get(path: string, headers: Record<string, string> = ADVANCED): Promise<JsonResponse> {
  return httpsJson(`${sandbox.graphUrl}/v1.0${path}`, { ca: sandbox.tls.caPem, token: sandbox.tokens.graph, headers });
}

const users = (group: string, query = '$select=id&$count=true') =>
  `/groups/${group}/transitiveMembers/microsoft.graph.user?${query}`;

describe('GET /groups/{id}/transitiveMembers', () => {
  test('lists every nested member once, typed; the nested group itself too', async () => {
    const res = await get(`/groups/${OUTER}/transitiveMembers?$select=id`, {});
    expect(res.status).toBe(200);
    expect(res.body.value).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: ANNA },
      { '@odata.type': '#microsoft.graph.group', id: INNER },
      { '@odata.type': '#microsoft.graph.user', id: BEN },
      { '@odata.type': '#microsoft.graph.user', id: CARA },
      { '@odata.type': '#microsoft.graph.servicePrincipal', id: ROBOT },
    ]);
    expect(sandbox.graph.requests[0]).toMatchObject({ operation: 'groups.transitiveMembers', status: 200 });
  });

  test('the user cast keeps people only, as a users collection with its count', async () => {
    const res = await get(users(OUTER));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      '@odata.context': `${sandbox.graphUrl}/v1.0/$metadata#users(id)`,
      '@odata.count': 3,
      value: [{ id: ANNA }, { id: BEN }, { id: CARA }],
    });
  });

  test('$top pages, each page linking to the next with the query kept, until the last', async () => {
    const first = await get(users(OUTER, '$select=id&$top=2&$count=true'));
    expect(first.body.value).toEqual([{ id: ANNA }, { id: BEN }]);
    const link = new URL(first.body['@odata.nextLink']);
    expect(`${link.origin}${link.pathname}`).toBe(
      `${sandbox.graphUrl}/v1.0/groups/${OUTER}/transitiveMembers/microsoft.graph.user`,
    );
    expect(link.searchParams.get('$top')).toBe('2');
    expect(link.searchParams.get('$select')).toBe('id');
    const second = await get(`${link.pathname.slice('/v1.0'.length)}${link.search}`);
    expect(second.body.value).toEqual([{ id: CARA }]);
    expect(second.body['@odata.nextLink']).toBeUndefined();
  });

  test('a group without members lists nothing', async () => {
    expect((await get(users(EMPTY))).body.value).toEqual([]);
  });

  test('an unknown group is 404 Request_ResourceNotFound, with Graph’s envelope', async () => {
    const res = await get(users(id(99)));
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      code: 'Request_ResourceNotFound',
      message: `Resource '${id(99)}' does not exist or one of its queried reference-property objects are not present.`,
      innerError: { 'request-id': res.headers['request-id'] },
    });
  });

  test('refused with 400: a cast to no member type, a cast without the advanced query, a page size out of range, a non-GUID', async () => {
    const unsupported = await get(`/groups/${OUTER}/transitiveMembers/microsoft.graph.application?$count=true`);
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.error.code).toBe('Request_UnsupportedQuery');
    const notAdvanced = await get(users(OUTER, '$select=id'), {});
    expect(notAdvanced.status).toBe(400);
    expect(notAdvanced.body.error.code).toBe('Request_UnsupportedQuery');
    const noHeader = await get(users(OUTER), {});
    expect(noHeader.body.error.code).toBe('Request_UnsupportedQuery');
    const tooBig = await get(users(OUTER, '$select=id&$count=true&$top=1000'));
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error.message).toBe("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
    const name = await get(users('platform-approvers'));
    expect(name.status).toBe(400);
    expect(name.body.error.code).toBe('Request_BadRequest');
  });

  test('$filter=accountEnabled eq true keeps the people who can sign in; eq false the others', async () => {
    const enabled = await get(
      users(DISABLED, `$select=id&$count=true&$filter=${encodeURIComponent('accountEnabled eq true')}`),
    );
    expect(enabled.status).toBe(200);
    expect(enabled.body.value).toEqual([{ id: ANNA }]);
    expect(enabled.body['@odata.count']).toBe(1);
    const disabled = await get(
      users(DISABLED, `$select=id&$count=true&$filter=${encodeURIComponent('accountEnabled eq false')}`),
    );
    expect(disabled.body.value).toEqual([{ id: DORA }]);
    // Without a filter, everyone.
    expect((await get(users(DISABLED))).body.value).toEqual([{ id: ANNA }, { id: DORA }]);
  });

  test('a filter it does not serve is refused with Graph’s 400, never ignored', async () => {
    for (const filter of ["displayName eq 'Anna'", 'accountEnabled ne true', 'accountEnabled eq true or id eq x']) {
      const res = await get(users(DISABLED, `$select=id&$count=true&$filter=${encodeURIComponent(filter)}`));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('Request_UnsupportedQuery');
    }
    const uncast = await get(
      `/groups/${DISABLED}/transitiveMembers?$count=true&$filter=${encodeURIComponent('accountEnabled eq true')}`,
    );
    expect(uncast.status).toBe(400);
    expect(uncast.body.error.code).toBe('Request_UnsupportedQuery');
  });
});
