/**
 * "Access already exists" offers "extend R-…" for the requester's own request holding it, but
 * never for a break-glass grant: a break-glass grant is never extended, so the command offered
 * would only be refused (the handler does not pass one; this holds for any caller).
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { alreadyGrantedCard } from '../../src/views/message-view';
import { grantPlan, pendingRequest, REGISTRY_ID, SUB } from './support/requests';

const existing: RoleAssignmentInfo = {
  id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/11111111-0000-4000-8000-000000000000`,
  name: '11111111-0000-4000-8000-000000000000',
  scope: REGISTRY_ID,
  roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d`,
  principalId: grantPlan().identity.objectId,
};

/** Every text of the card, as its readers see it. */
const textOf = (card: unknown) => JSON.stringify(card);

const granted = pendingRequest({ state: 'succeeded' });
const binding = { ruleId: 'prod', policyHash: 'hash-1', approvalsRequired: 1 };

test('the requester’s own normal grant: the card says how to extend it', () => {
  const text = textOf(alreadyGrantedCard(grantPlan(), existing, true, { ...granted, policy: binding }));
  // The card as JSON: the command is quoted (escaped here).
  expect(text).toContain(`to keep it longer: \\"extend ${granted.id} --for 30d REASON…\\"`);
});

test('the requester’s own break-glass grant: no extend is offered', () => {
  const mine = { ...granted, policy: { ...binding, ruleId: 'break-glass', approvalsRequired: 0, breakGlass: true } };
  const text = textOf(alreadyGrantedCard(grantPlan(), existing, true, mine));
  expect(text).toContain('Access already exists');
  expect(text).not.toContain('extend');
});
