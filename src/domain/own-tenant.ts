/**
 * Requests of an allowed tenant other than acrbot's own (G2). Everything acrbot decides with and
 * writes to is its own tenant's: who approves, reviews or is in a break-glass group is read in
 * its own directory (Graph of its tenant), and the role assignments and pull secrets it makes are
 * on its own tenant's registries and clusters. Another tenant's people (ACRBOT_ALLOWED_TENANTS)
 * reach it, but nobody may decide their requests (the tenant boundary refuses its approvers'
 * clicks on them, and nobody of theirs is in its directory), and an automatic grant would put
 * them on this tenant's registries where this tenant's approvers cannot see or end it. So such a
 * request is refused when it is made, auto-approving rules and `--break-glass` included; `policy`
 * tells them so instead of a rule that will never apply to them, and an expiry reminder of access
 * an earlier release granted them offers no Extend ({@link OTHER_TENANT_NO_EXTEND_NOTE}). Pure.
 */
import { OTHER_TENANT_ASK_INSTEAD, OTHER_TENANT_NO_EXTEND_NOTE } from './other-tenant-words';
import { sameTenant } from './tenant-boundary';

export { OTHER_TENANT_NO_EXTEND_NOTE };

/** The audit action of a request refused for its tenant ({@link otherTenantRefusal}). */
export const OTHER_TENANT_REFUSAL_ACTION = 'request.refused.otherTenant';

/** The code of that refusal (UserFacingError). */
export const OTHER_TENANT_REFUSAL_CODE = 'request.otherTenant';

/**
 * True when `tenantId` is another tenant than acrbot's own, `ownTenantId` (MicrosoftAppTenantId;
 * the sandbox's in sandbox mode): nobody could decide a request made there. Without an own
 * tenant (flows run without config) nothing is refused.
 */
export function isOtherTenant(tenantId: string, ownTenantId: string | undefined): boolean {
  return ownTenantId !== undefined && ownTenantId !== '' && !sameTenant(tenantId, ownTenantId);
}

/**
 * What the requester of another tenant is told: why nobody can grant it (acrbot's approvers are
 * people of its own directory, and it grants nothing by itself to another tenant's people) and
 * what to do instead (a guest account in acrbot's organisation acts as one of its people, and
 * Teams gives its messages that tenant; or its platform team). `outcome` says what became of the
 * ask: a request's refusal says nothing was requested; `policy` says what a request would meet.
 */
export function otherTenantRefusal(tenantId: string, ownTenantId: string, outcome = 'nothing was requested'): string {
  return `acrbot's approvers are people of its own organisation's directory (tenant ${ownTenantId}), and you are signed in to Teams as a user of another tenant (${tenantId}). Nobody can approve or review a request from there, and acrbot grants nothing by itself to another tenant's people (auto-approving rules and --break-glass included), so ${outcome}. ${OTHER_TENANT_ASK_INSTEAD}`;
}

/** What `policy CLUSTER REGISTRY` says became of a request of theirs, instead of the pair's rule. */
export const OTHER_TENANT_POLICY_OUTCOME = 'a request of yours is refused when it is made, whatever rule this pair has';
