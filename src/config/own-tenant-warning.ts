/** A start warning of ACRBOT_ALLOWED_TENANTS in azure mode: the bot's own tenant left out. */

/**
 * ACRBOT_ALLOWED_TENANTS that leaves out the bot's own tenant (MicrosoftAppTenantId): the people
 * of the tenant the bot is registered in, its approvers usually among them, are refused every
 * message and tab call, and the people of the tenants listed make no request either, as acrbot
 * refuses every request of a tenant other than its own (src/domain/own-tenant.ts). So nobody can
 * ask for access; the warning says so. A warning, not a problem: a deployment set so under an
 * earlier release, which served requests of other tenants, still starts (their people still read
 * the requests they made then), and its operators are told what it now does.
 */
export function ownTenantLeftOut(allowed: readonly string[], ownTenant: string | undefined): string[] {
  if (!ownTenant || allowed.some((id) => id.toLowerCase() === ownTenant.toLowerCase())) return [];
  return [
    "ACRBOT_ALLOWED_TENANTS leaves out MicrosoftAppTenantId, the bot's own tenant: its people's messages and tab calls are refused (tab: 403 tenant_not_allowed), and no request can be made from any listed tenant either, as acrbot refuses the requests of tenants other than its own. Add it to the list",
  ];
}
