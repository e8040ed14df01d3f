/** A start warning of ACRBOT_ALLOWED_TENANTS in azure mode: the bot's own tenant left out. */

/**
 * ACRBOT_ALLOWED_TENANTS that leaves out the bot's own tenant (MicrosoftAppTenantId): the people
 * of the tenant the bot is registered in, its approvers usually among them, are refused every
 * message and tab call. A warning, not a problem: a bot serving only other tenants may mean it.
 */
export function ownTenantLeftOut(allowed: readonly string[], ownTenant: string | undefined): string[] {
  if (!ownTenant || allowed.some((id) => id.toLowerCase() === ownTenant.toLowerCase())) return [];
  return [
    "ACRBOT_ALLOWED_TENANTS leaves out MicrosoftAppTenantId, the bot's own tenant: its people's messages and tab calls are refused (tab: 403 tenant_not_allowed). Add it to the list unless that is meant",
  ];
}
