/**
 * What sandbox mode fills into an otherwise empty configuration, and the bearer token the bot
 * presents to the emulators. The composition root's sandbox step injects these into the config
 * (`applySandboxDefaults`), so `src/config` never imports the sandbox.
 */
import {
  SANDBOX_APPROVAL_CHANNEL_ID,
  SANDBOX_BEARER_TOKEN,
  SANDBOX_SUBSCRIPTIONS,
  SANDBOX_TENANT_ID,
  SANDBOX_USERS,
} from './fixtures';

/** The sandbox's defaults (config's part has the shape `SandboxDefaults` in src/config/config.ts). */
export const SANDBOX_DEFAULTS = {
  subscriptionIds: [SANDBOX_SUBSCRIPTIONS.platform, SANDBOX_SUBSCRIPTIONS.data],
  approverId: SANDBOX_USERS.approver.objectId,
  tenantId: SANDBOX_TENANT_ID,
  approvalChannelId: SANDBOX_APPROVAL_CHANNEL_ID,
  bearerToken: SANDBOX_BEARER_TOKEN,
  /** The people the tab's sandbox sign-in page offers. */
  users: Object.entries(SANDBOX_USERS).map(([key, u]) => ({ key, name: u.name })),
};
