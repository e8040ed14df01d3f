/**
 * Sandbox mode with no settings at all: the composition root injects the sandbox's own
 * subscriptions, approver, tenant and channel (src/sandbox/defaults.ts, which src/config never
 * imports), and they fill what the settings left empty.
 */
import type { AppConfig } from './app-config';
import { policyFromEnvironment } from './policy-file';

/** What sandbox mode uses where a setting is empty (injected from `src/sandbox/defaults.ts`). */
export interface SandboxDefaults {
  subscriptionIds: readonly string[];
  approverId: string;
  tenantId: string;
  approvalChannelId: string;
}

/**
 * Sandbox mode with no settings at all: the sandbox's subscriptions, approver (unless an approver
 * group is set), tenant and approval channel fill what is empty; explicit settings win.
 */
export function applySandboxDefaults(config: AppConfig, defaults: SandboxDefaults): AppConfig {
  if (config.mode !== 'sandbox') return config;
  const next: AppConfig = {
    ...config,
    subscriptionIds: config.subscriptionIds.length ? config.subscriptionIds : [...defaults.subscriptionIds],
    approverIds: config.approverIds.length || config.approverGroupId ? config.approverIds : [defaults.approverId],
    allowedTenantIds: config.allowedTenantIds.length ? config.allowedTenantIds : [defaults.tenantId],
    approvalChannelId: config.approvalChannelId ?? defaults.approvalChannelId,
  };
  // Without a policy file, the single rule is built from the (now filled-in) approver settings.
  if (config.policy.source === 'environment')
    next.policy = policyFromEnvironment({
      approverIds: next.approverIds,
      approverGroupId: next.approverGroupId,
      approvalChannelId: next.approvalChannelId,
      approverJustificationRequired: next.approverJustificationRequired,
    });
  return next;
}
