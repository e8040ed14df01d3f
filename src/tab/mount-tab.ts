/**
 * Puts the tab on the server: builds the token settings for the mode, the API and the routes.
 * The app calls this once; sandbox details come in from the app (this module never imports the
 * sandbox).
 */
import { join } from 'node:path';
import type restify from 'restify';
import type { AccessPause, AuditLog, Clock, RequestStore } from '../domain/ports';
import type { PolicyRule } from '../domain/policy';
import type { AccessRequest, Actor } from '../domain/request';
import type { Logger } from '../observability/logger';
import { SandboxSignIn } from './sandbox-signin';
import { TabApi, type TabActions, type TabInventory } from './tab-api';
import { type SandboxIssuerInfo, tabSsoSettings } from './tab-auth';
import { registerTabRoutes } from './tab-routes';

/** Where `npm run build` puts the front end (git-ignored). */
export const WEB_BUILD_DIR = join(__dirname, '..', '..', 'build', 'web');

/** App id the tab's API uses in sandbox mode when no MicrosoftAppId is set. */
export const SANDBOX_TAB_APP_ID = '5a0d0000-0000-4000-8000-00000000a1b0';

/** What the tab needs from the app. */
export interface MountTabInput {
  mode: 'sandbox' | 'azure';
  /** The app registration the tab's sign-on tokens are for (`api://<domain>/<ssoAppId>`). */
  ssoAppId?: string;
  /** The bot's app id, for "open in chat" deep links (defaults to `ssoAppId`). */
  botAppId?: string;
  /** Host of the Application ID URI; required in azure mode (else the tab is off). */
  domain?: string;
  allowedTenantIds: string[];
  auditorIds: string[];
  isApprover(actor: Actor): Promise<boolean>;
  isApproverOf(actor: Actor, request: AccessRequest): Promise<boolean>;
  /** The rule whose approvers decide on `request` now (RequestService.ruleOf), to ask once per rule. */
  ruleOf?(request: AccessRequest): PolicyRule | undefined;
  store: RequestStore;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
  webRoot?: string;
  /** Sandbox mode: the local issuer and its token endpoint. */
  sandbox?: SandboxIssuerInfo & { tokenEndpoint: string; users: Array<{ key: string; name: string }> };
  actions?: TabActions;
  inventory?: TabInventory;
  /** The operators' pause of new access in force (the tab shows it). */
  pause?: () => Promise<AccessPause | undefined>;
  /** acrbot's own tenant (FlowSettings.ownTenantId): another tenant's requester is offered no Extend. */
  ownTenantId?: string;
}

/** Mounts the tab; returns false (and logs why) when it cannot be offered. */
export function mountTab(server: restify.Server, input: MountTabInput): boolean {
  const sandboxMode = input.mode === 'sandbox';
  const appId = input.ssoAppId ?? (sandboxMode ? SANDBOX_TAB_APP_ID : undefined);
  const domain = input.domain ?? (sandboxMode ? 'localhost' : undefined);
  if (!appId || !domain) {
    input.log.info(
      'Teams tab not offered: set ACRBOT_TAB_DOMAIN and ACRBOT_TAB_APP_ID (api://<domain>/<app id>; docs/deploy.md, "The tab")',
    );
    return false;
  }
  if (sandboxMode && !input.sandbox) {
    input.log.info('Teams tab not offered: the sandbox issuer is not running (external emulators)');
    return false;
  }
  const sso = tabSsoSettings({
    mode: input.mode,
    appId,
    domain,
    allowedTenantIds: input.allowedTenantIds,
    sandboxIssuer: sandboxMode ? input.sandbox : undefined,
  });
  const auditors = new Set(input.auditorIds.map((a) => a.toLowerCase()));
  const api = new TabApi({
    sso,
    store: input.store,
    audit: input.audit,
    clock: input.clock,
    log: input.log,
    botAppId: input.botAppId ?? appId,
    roles: {
      isApprover: input.isApprover,
      isApproverOf: input.isApproverOf,
      ...(input.ruleOf && { ruleOf: input.ruleOf }),
      isAuditor: (a) => auditors.has(a.objectId.toLowerCase()),
    },
    actions: input.actions,
    inventory: input.inventory,
    pause: input.pause,
    ownTenantId: input.ownTenantId,
  });
  const sandboxSignIn =
    sandboxMode && input.sandbox
      ? new SandboxSignIn({
          tokenEndpoint: input.sandbox.tokenEndpoint,
          caPem: input.sandbox.caPem,
          clientId: input.sandbox.clientId,
          resource: `api://${domain}/${appId}`,
          users: input.sandbox.users,
        })
      : undefined;
  registerTabRoutes(server, { api, webRoot: input.webRoot ?? WEB_BUILD_DIR, log: input.log, sandboxSignIn });
  return true;
}
