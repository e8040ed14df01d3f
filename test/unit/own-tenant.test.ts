/** own-tenant.ts: a request of another tenant than acrbot's own is refused, as nobody could decide it. */
import { isOtherTenant, OTHER_TENANT_POLICY_OUTCOME, otherTenantRefusal } from '../../src/domain/own-tenant';
import { OTHER_TENANT as OTHER } from '../helpers/tenant-b';

const OWN = '11111111-1111-4111-8111-111111111111';

test("another tenant is told apart from acrbot's own, in either case", () => {
  expect(isOtherTenant(OTHER, OWN)).toBe(true);
  expect(isOtherTenant(OWN, OWN)).toBe(false);
  expect(isOtherTenant(OWN.toUpperCase(), OWN)).toBe(false);
});

test('without an own tenant (flows run without config) nothing is refused', () => {
  expect(isOtherTenant(OTHER, undefined)).toBe(false);
  expect(isOtherTenant(OTHER, '')).toBe(false);
});

test('the refusal says why and what to do', () => {
  const words = otherTenantRefusal(OTHER, OWN);
  expect(words).toContain(`tenant ${OWN}`);
  expect(words).toContain(`another tenant (${OTHER})`);
  expect(words).toContain('nothing was requested');
  expect(words).toContain('guest account');
  expect(words).toContain('platform team');
});

test("policy's answer is the refusal's words, with what a request would meet instead of what became of one", () => {
  const refusal = otherTenantRefusal(OTHER, OWN);
  const policy = otherTenantRefusal(OTHER, OWN, OTHER_TENANT_POLICY_OUTCOME);
  expect(policy).toBe(refusal.replace('nothing was requested', OTHER_TENANT_POLICY_OUTCOME));
  expect(policy).toContain('a request of yours is refused when it is made');
});
