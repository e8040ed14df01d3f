/**
 * What sandbox mode fills into an otherwise empty configuration, and the credential the bot gets
 * its tokens for the emulators from (one per audience, as from Entra). The composition root's sandbox step injects these into the config
 * (`applySandboxDefaults`), so `src/config` never imports the sandbox.
 */
import { SANDBOX_APPROVAL_CHANNEL_ID, SANDBOX_SUBSCRIPTIONS, SANDBOX_TENANT_ID, SANDBOX_USERS } from './fixtures';
import { sandboxCredential } from './identity/access-tokens';

/** The sandbox's defaults (config's part has the shape `SandboxDefaults` in src/config/apply-sandbox-defaults.ts). */
export const SANDBOX_DEFAULTS = {
  subscriptionIds: [SANDBOX_SUBSCRIPTIONS.platform, SANDBOX_SUBSCRIPTIONS.data],
  approverId: SANDBOX_USERS.approver.objectId,
  tenantId: SANDBOX_TENANT_ID,
  approvalChannelId: SANDBOX_APPROVAL_CHANNEL_ID,
  /** The bot's sandbox credential: a token for the resource of the scope asked for. */
  credential: sandboxCredential,
  /** The people the tab's sandbox sign-in page offers. */
  users: Object.entries(SANDBOX_USERS).map(([key, u]) => ({ key, name: u.name })),
};
