/**
 * A deletion's audit entry carries the `x-ms-request-id` of ARM's answer to it (the Activity
 * Log's key to the delete): the id of the success, and of the 404 when the object was gone
 * already. The real role assignment and registry token adapters over HTTPS against a local server.
 */
import { REGISTRY, REGISTRY_ID, SUB, useArmStandIn } from '../helpers/arm-stand-in';
import { json } from '../helpers/https-service';

const ASSIGNMENT = { scope: REGISTRY_ID, name: '11111111-1111-1111-1111-111111111111', subscriptionId: SUB };

const standIn = useArmStandIn('bearer-delete-request-ids');
const { arm } = standIn;

const answer =
  (status: number, requestId: string, body: unknown = {}) =>
  (_req: unknown, res: Parameters<typeof json>[0]) =>
    json(res, status, body, { 'x-ms-request-id': requestId });

const notFound = { error: { code: 'RoleAssignmentNotFound', message: 'The role assignment does not exist.' } };

test('a role assignment delete resolves the request id of its 200', async () => {
  arm.handler = answer(200, 'arm-req-delete-200', { id: `${REGISTRY_ID}/providers/x`, properties: {} });
  await expect(standIn.roles.delete(ASSIGNMENT)).resolves.toEqual({ requestId: 'arm-req-delete-200' });
  expect(arm.requests.map((r) => r.method)).toEqual(['DELETE']);
});

test('a role assignment gone already resolves the request id of the 404, said absent', async () => {
  arm.handler = answer(404, 'arm-req-delete-404', notFound);
  await expect(standIn.roles.delete(ASSIGNMENT)).resolves.toEqual({ requestId: 'arm-req-delete-404', absent: true });
});

test('a token delete resolves the request id of its 200, and of its 404 when gone already', async () => {
  arm.handler = answer(200, 'arm-req-token-200');
  await expect(standIn.tokens.deleteToken(REGISTRY, 'tok1')).resolves.toEqual({ requestId: 'arm-req-token-200' });
  arm.handler = answer(404, 'arm-req-token-404', { error: { code: 'ResourceNotFound', message: 'not found' } });
  await expect(standIn.tokens.deleteToken(REGISTRY, 'tok1')).resolves.toEqual({ requestId: 'arm-req-token-404' });
});
