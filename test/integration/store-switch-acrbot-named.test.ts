/**
 * A store switched or restored starts empty while acrbot's grants stay in Azure: restarted on it,
 * `access`, `check` and `revoke CLUSTER REGISTRY` name such a grant's role assignment as "named
 * as acrbot names its grants, but this store has no record of it", never "outside acrbot", and
 * acrbot changes nothing (G15: the name is a hint, not proof).
 */
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { ACRBOT_NAMED_TEXT } from '../../src/domain/access-inventory';
import { CapturingConnector } from '../helpers/capturing-connector';
import { grantApproved } from '../helpers/grant-approved';
import { startHarness, users, type Harness } from '../helpers/harness';

jest.setTimeout(60_000);

let sandbox: Sandbox;
let connector: CapturingConnector;
let after: Harness;
let assignmentName: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  connector = new CapturingConnector();
  await connector.start();
  // The old store: a grant made and recorded there.
  const before = await startHarness({}, { sandbox }, { connector });
  try {
    const live = await grantApproved(before, 'aks-prod contosoacr --for 30d deploy payments');
    assignmentName = live.plan.kind === 'grant' ? live.plan.roleAssignmentName : '';
  } finally {
    await before.stop();
  }
  // The new store (memory, empty), same Azure.
  after = await startHarness({}, { sandbox }, { connector });
});

afterAll(async () => {
  await after?.stop();
  await sandbox?.stop();
  await connector?.stop();
});

test('`access` and `check` name the grant as acrbot-named with no record, not as outside acrbot', async () => {
  const access = await after.turnReplies(users.approver, 'access aks-prod', 'personal');
  expect(access).toContain(ACRBOT_NAMED_TEXT);
  const check = await after.turnReplies(users.approver, 'check aks-prod contosoacr', 'personal');
  expect(check).toContain(ACRBOT_NAMED_TEXT);
  expect(check).not.toContain('granted outside acrbot');
});

test('`revoke CLUSTER REGISTRY` finds nothing of its own, names the assignment, and leaves it in Azure', async () => {
  const revoke = await after.turnReplies(users.approver, 'revoke aks-prod contosoacr store moved', 'personal');
  expect(revoke).toContain('Nothing to revoke');
  expect(revoke).toContain(`Role assignment ${assignmentName} there is ${ACRBOT_NAMED_TEXT}.`);
  const again = await after.turnReplies(users.approver, 'check aks-prod contosoacr', 'personal');
  expect(again).toContain(ACRBOT_NAMED_TEXT);
});

test('a pair whose assignment is not under acrbot\'s name still says only "outside acrbot"', async () => {
  const revoke = await after.turnReplies(users.approver, 'revoke aks-legacy contosoacr', 'personal');
  expect(revoke).toContain("access granted outside acrbot is not acrbot's to revoke.");
  expect(revoke).not.toContain(ACRBOT_NAMED_TEXT);
});
