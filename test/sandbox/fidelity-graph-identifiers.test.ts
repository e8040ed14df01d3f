/**
 * The Graph emulator answers a malformed key as Graph does, over raw HTTPS: a path segment where
 * an object id (a GUID) belongs holding anything else is 400 `Request_BadRequest` "Invalid object
 * identifier '…'.", a malformed `(appId='…')` key is 400 too (never the 404 of an unknown object),
 * each in Graph's envelope with `innerError`. A well-formed unknown id stays 404, and `/users/…`
 * takes a userPrincipalName, so text there is looked up (404 when nobody has it).
 */
import { SANDBOX_APPROVER_GROUP_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { httpsJson, type JsonResponse } from '../../src/sandbox/http-util';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.graph.clearRequests());

function graph(path: string, opts: { method?: string; body?: unknown } = {}): Promise<JsonResponse> {
  return httpsJson(`${sandbox.graphUrl}/v1.0${path}`, {
    ca: sandbox.tls.caPem,
    token: sandbox.tokens.graph,
    headers: { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000001' },
    ...(opts.method ? { method: opts.method } : {}),
    ...(opts.body !== undefined ? { body: opts.body } : {}),
  });
}

/** Graph's error envelope: code, message and innerError with the request's ids and a date. */
function expectGraphError(res: JsonResponse, status: number, code: string, message: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({
    error: {
      code,
      message,
      innerError: {
        date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        'request-id': res.headers['request-id'],
        'client-request-id': 'c0ffee00-0000-4000-8000-000000000001',
      },
    },
  });
}

const UNKNOWN = '00000000-0000-4000-8000-0000000000ee';
const checkGroups = { method: 'POST', body: { groupIds: [SANDBOX_APPROVER_GROUP_ID] } };

describe('a malformed object id in the path is 400 Invalid object identifier', () => {
  test.each([
    ['GET', '/servicePrincipals/not-a-guid', {}, 'servicePrincipals.get'],
    ['DELETE', '/servicePrincipals/not-a-guid', { method: 'DELETE' }, 'servicePrincipals.delete'],
    ['GET', '/groups/platform-team', {}, 'groups.get'],
    ['POST', '/directoryObjects/not-a-guid/checkMemberGroups', checkGroups, 'directoryObjects.checkMemberGroups'],
    ['POST', '/servicePrincipals/not-a-guid/checkMemberGroups', checkGroups, 'directoryObjects.checkMemberGroups'],
    ['GET', '/servicePrincipals/not-a-guid/transitiveMemberOf', {}, 'servicePrincipals.transitiveMemberOf'],
    ['GET', '/applications/not-a-guid', {}, 'applications.get'],
    ['DELETE', '/applications/not-a-guid', { method: 'DELETE' }, 'applications.delete'],
  ])('%s %s', async (_method, path, opts, operation) => {
    const res = await graph(path, opts);
    const id = path.split('/')[2]!;
    expectGraphError(res, 400, 'Request_BadRequest', `Invalid object identifier '${id}'.`);
    expect(sandbox.graph.requests).toEqual([expect.objectContaining({ operation, status: 400 })]);
  });
});

describe("a malformed (appId='…') key is 400, not the 404 of an unknown application", () => {
  test.each(["/servicePrincipals(appId='msi')", "/applications(appId='msi')"])('%s', async (path) => {
    expectGraphError(
      await graph(path),
      400,
      'Request_BadRequest',
      "Invalid value specified for object reference property 'appId'. Please ensure that this value has an appropriate syntax and length.",
    );
  });
});

describe('well-formed keys nobody has stay 404', () => {
  test.each([
    `/servicePrincipals/${UNKNOWN}`,
    `/groups/${UNKNOWN}`,
    `/servicePrincipals(appId='${UNKNOWN}')`,
    `/applications(appId='${UNKNOWN}')`,
    // users/{id | userPrincipalName}: text that is no GUID is looked up as a name.
    '/users/not-a-guid',
  ])('%s', async (path) => {
    const key = /'([^']+)'/.exec(path)?.[1] ?? path.split('/')[2]!;
    expectGraphError(
      await graph(path),
      404,
      'Request_ResourceNotFound',
      `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
    );
  });

  test('a user is found by userPrincipalName as by object id', async () => {
    const byId = await graph(`/users/${SANDBOX_USERS.approver.objectId}`);
    expect(byId.status).toBe(200);
    const byName = await graph(`/users/${encodeURIComponent(byId.body.userPrincipalName)}`);
    expect(byName).toMatchObject({ status: 200, body: { id: SANDBOX_USERS.approver.objectId } });
  });
});
