/**
 * Configuration from the environment (and `.env`), validated once at start with zod. Every
 * problem is listed; nothing here is ever printed unredacted.
 *
 * loadConfig runs the steps in the order their problems are listed: each setting on its own
 * (read-settings.ts, by the groups' schemas in settings-*.ts), then what azure mode requires
 * (azure-mode-problems.ts), the store (storage-problems.ts), the sandbox's endpoints
 * (sandbox-endpoints.ts), each setting's bounds (bound-problems.ts), the policy
 * (policy-at-start.ts) and the proxy. The names other files import from here are re-exported
 * from the files that define them.
 */
import { readProxyEnvironment } from '../integrations/http/outbound-proxy';
import type { AppConfig } from './app-config';
import { appConfigOf } from './app-config-of';
import { azureModeProblems } from './azure-mode-problems';
import { boundProblems } from './bound-problems';
import { ConfigError } from './config-error';
import { ownTenantLeftOut } from './own-tenant-warning';
import { policyAtStart } from './policy-at-start';
import { readSettings } from './read-settings';
import { sandboxEndpointProblems } from './sandbox-endpoints';
import { uniqueIgnoringCase } from './setting-list';
import { SETTINGS } from './settings-schema';
import { storageProblems } from './storage-problems';
import { unknownSettingWarnings } from './unknown-settings';

export type { AccessDurationSettings, AppConfig } from './app-config';
export { parseAnchorTarget, type AnchorTargetSetting } from './anchor-target';
export { applySandboxDefaults, type SandboxDefaults } from './apply-sandbox-defaults';
export { ConfigError } from './config-error';
export { listenHostOf } from './listen-host';
export { isEphemeralStorage, parseStorage, type StorageSetting } from './storage-setting';

/** Reads and validates config from `env`; throws {@link ConfigError} listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const read = readSettings(env);
  const { e, problems, parsedOk, sandbox, modeFromNodeEnv } = read;
  const subscriptionIds = uniqueIgnoringCase([
    ...(e.AZURE_SUBSCRIPTION_ID ? [e.AZURE_SUBSCRIPTION_ID] : []),
    ...e.ACRBOT_SUBSCRIPTION_IDS,
  ]);
  const approverIds = e.ACRBOT_APPROVERS;
  let allowedTenantIds = e.ACRBOT_ALLOWED_TENANTS;
  const approvalChannelId = e.ACRBOT_APPROVAL_CHANNEL;
  // Sandbox mode works with no settings at all: the composition root fills the sandbox's own
  // subscriptions, approver, tenant and channel in with applySandboxDefaults.
  if (!sandbox) {
    const azure = azureModeProblems(e, parsedOk, problems, { subscriptionIds, approverIds });
    problems.push(...azure.problems);
    allowedTenantIds = azure.allowedTenantIds;
  }
  problems.push(...storageProblems(read), ...sandboxEndpointProblems(read));
  const bounds = boundProblems(read);
  problems.push(...bounds.problems);
  // A sandbox answers anyone without authentication and fakes Azure: never by accident in production.
  if (
    sandbox &&
    e.NODE_ENV === 'production' &&
    e.ACRBOT_ALLOW_SANDBOX_IN_PRODUCTION !== 'true' &&
    parsedOk('ACRBOT_MODE', 'ACRBOT_ALLOW_SANDBOX_IN_PRODUCTION')
  )
    problems.push(
      'ACRBOT_MODE=sandbox with NODE_ENV=production: the sandbox accepts unauthenticated calls and talks to emulators, not Azure. Use ACRBOT_MODE=azure, or set ACRBOT_ALLOW_SANDBOX_IN_PRODUCTION=true if this really is a demo',
    );
  const started = policyAtStart(read, { approverIds, approvalChannelId }, bounds.accessLimits);
  problems.push(...started.problems);
  // The proxy is read again where the calls are made (as the Azure SDK reads it); a malformed one
  // is refused here, at start, rather than failing the first Azure call of a running bot.
  const proxyRead = readProxyEnvironment(env);
  problems.push(...proxyRead.problems);
  // Azure mode chosen by NODE_ENV alone: say so, or "required in azure mode" puzzles whoever only
  // set NODE_ENV (a production process never falls back to the sandbox, G1).
  if (problems.length && modeFromNodeEnv)
    problems.push(
      'ACRBOT_MODE is not set, so NODE_ENV=production made this azure mode (for the sandbox, start without NODE_ENV=production)',
    );
  if (problems.length) throw new ConfigError(problems);
  const warnings = [
    ...unknownSettingWarnings(env, SETTINGS),
    ...proxyRead.warnings,
    ...(sandbox ? [] : ownTenantLeftOut(allowedTenantIds, e.MicrosoftAppTenantId)),
  ];
  return appConfigOf(e, {
    policy: started.policy,
    policyWarnings: started.policyWarnings,
    warnings,
    sandbox,
    subscriptionIds,
    approverIds,
    approvalChannelId,
    allowedTenantIds,
  });
}
