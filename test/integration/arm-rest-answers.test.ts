/**
 * What ArmRest (arm-rest.ts) makes of ARM's answers, through the real role assignment adapter
 * over HTTPS against a local server: a success whose body is not JSON (a proxy's page) fails the
 * call instead of passing for an empty listing, and a create resolves the `x-ms-request-id` of its
 * answer, which the grant's audit entry records as the Activity Log's key to the write.
 */
import { REGISTRY_ID, SUB, useArmStandIn } from '../helpers/arm-stand-in';
import { json } from '../helpers/https-service';

const ASSIGNMENT = '11111111-1111-1111-1111-111111111111';

const standIn = useArmStandIn('bearer-arm-rest-answers');
const { arm } = standIn;

test('a 200 listing whose body is not JSON fails as a parse error, never as "no assignments"', async () => {
  arm.handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'x-ms-request-id': 'arm-req-html' });
    res.end('<html><body>Gateway says hello</body></html>');
  };
  const err = await standIn.roles.listAtOrAbove(REGISTRY_ID).catch((e: unknown) => e);
  expect(err).toMatchObject({ name: 'RestError', code: 'PARSE_ERROR', statusCode: 200 });
  expect(arm.requests).toHaveLength(1);
});

test('a role assignment create resolves the x-ms-request-id of its answer', async () => {
  const id = `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${ASSIGNMENT}`;
  arm.handler = (_req, res) =>
    json(res, 201, { id, name: ASSIGNMENT, properties: {} }, { 'x-ms-request-id': 'arm-req-create-201' });
  await expect(
    standIn.roles.create({
      scope: REGISTRY_ID,
      name: ASSIGNMENT,
      roleDefinitionGuid: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
      principalId: '22222222-2222-2222-2222-222222222222',
      subscriptionId: SUB,
    }),
  ).resolves.toEqual({ id, requestId: 'arm-req-create-201' });
  expect(arm.requests.map((r) => r.method)).toEqual(['PUT']);
});
