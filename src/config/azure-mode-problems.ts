/**
 * What azure mode requires that the sandbox fills in itself (applySandboxDefaults): the bot's
 * app registration, the tab's two settings together, subscriptions, someone to approve and the
 * tenants allowed in. Sandbox mode works with no settings at all.
 */
import type { ParsedOk } from './read-settings';
import type { Settings } from './settings-schema';

/** Azure mode's problems, and the tenants allowed in (the bot's own when none is listed). */
export interface AzureModeCheck {
  problems: string[];
  allowedTenantIds: string[];
}

/**
 * The problems of settings `e` in azure mode. `earlier` are the problems listed before (a
 * malformed subscription id is not also missing); `subscriptionIds` and `approverIds` as loadConfig
 * gathered them.
 */
export function azureModeProblems(
  e: Settings,
  parsedOk: ParsedOk,
  earlier: readonly string[],
  { subscriptionIds, approverIds }: { subscriptionIds: readonly string[]; approverIds: readonly string[] },
): AzureModeCheck {
  const problems: string[] = [];
  let allowedTenantIds = e.ACRBOT_ALLOWED_TENANTS;
  if (!e.MicrosoftAppId && parsedOk('MicrosoftAppId'))
    problems.push('MicrosoftAppId is required in azure mode (no anonymous access outside the sandbox)');
  if (!e.MicrosoftAppType && parsedOk('MicrosoftAppType'))
    problems.push('MicrosoftAppType is required in azure mode: SingleTenant or UserAssignedMSI');
  // Azure Bot Service no longer creates multi-tenant bots; the botbuilder setting stays for the sandbox.
  if (e.MicrosoftAppType === 'MultiTenant')
    problems.push(
      'MicrosoftAppType=MultiTenant is not offered in azure mode: Azure Bot Service no longer creates multi-tenant bots. Use SingleTenant (with MicrosoftAppPassword) or UserAssignedMSI',
    );
  if (
    (e.MicrosoftAppType === 'SingleTenant' || e.MicrosoftAppType === 'UserAssignedMSI') &&
    !e.MicrosoftAppTenantId &&
    parsedOk('MicrosoftAppTenantId')
  )
    problems.push(`MicrosoftAppTenantId is required when MicrosoftAppType is ${e.MicrosoftAppType}`);
  if (e.MicrosoftAppType === 'SingleTenant' && !e.MicrosoftAppPassword && parsedOk('MicrosoftAppPassword'))
    problems.push(
      'MicrosoftAppPassword is required when MicrosoftAppType is SingleTenant (or use UserAssignedMSI, which needs none)',
    );
  // Either one alone leaves the tab off: the operator who set it meant the tab, so say so at
  // start rather than in an info line (the template sets both or neither).
  if (e.ACRBOT_TAB_APP_ID && !e.ACRBOT_TAB_DOMAIN && parsedOk('ACRBOT_TAB_DOMAIN'))
    problems.push(
      'ACRBOT_TAB_APP_ID needs ACRBOT_TAB_DOMAIN: the lowercase host the tab is served from, as in its registration\'s Application ID URI api://<domain>/<app id> (the app package\'s BOT_DOMAIN; docs/deploy.md, "The tab"). Without it the tab is not offered; unset ACRBOT_TAB_APP_ID to go without the tab',
    );
  if (e.ACRBOT_TAB_DOMAIN && !e.ACRBOT_TAB_APP_ID && parsedOk('ACRBOT_TAB_APP_ID'))
    problems.push(
      e.MicrosoftAppType === 'UserAssignedMSI'
        ? 'ACRBOT_TAB_DOMAIN needs ACRBOT_TAB_APP_ID when MicrosoftAppType is UserAssignedMSI: a managed identity cannot expose the tab\'s API, so its sign-on needs an app registration of its own (docs/deploy.md, "The tab")'
        : "ACRBOT_TAB_DOMAIN needs ACRBOT_TAB_APP_ID: the app registration the tab's sign-on tokens are for (MicrosoftAppId when the bot's own registration exposes the tab's API; docs/deploy.md, \"The tab\"), the same as the app package's TAB_APP_ID",
    );
  if (subscriptionIds.length === 0 && ![...earlier, ...problems].some((p) => p.includes('SUBSCRIPTION')))
    problems.push('AZURE_SUBSCRIPTION_ID or ACRBOT_SUBSCRIPTION_IDS is required in azure mode');
  if (
    approverIds.length === 0 &&
    !e.ACRBOT_APPROVER_GROUP &&
    !e.ACRBOT_POLICY &&
    parsedOk('ACRBOT_APPROVERS', 'ACRBOT_APPROVER_GROUP')
  )
    problems.push(
      'ACRBOT_APPROVERS or ACRBOT_APPROVER_GROUP is required in azure mode: someone must be able to approve',
    );
  if (allowedTenantIds.length === 0) {
    if (e.MicrosoftAppTenantId) allowedTenantIds = [e.MicrosoftAppTenantId];
    else if (parsedOk('ACRBOT_ALLOWED_TENANTS', 'MicrosoftAppTenantId'))
      problems.push('ACRBOT_ALLOWED_TENANTS is required in azure mode');
  }
  return { problems, allowedTenantIds };
}
