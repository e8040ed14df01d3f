/** Everything the bot's handlers use, built once by the composition root. */
import type { AnchorLog } from '../domain/audit-anchor';
import type { AuditKey } from '../domain/audit-chain';
import type { AuditLog, Clock } from '../domain/ports';
import type { AccessInventory } from '../flows/access-inventory';
import type { DriftDetector } from '../flows/drift-detector';
import type { Executor } from '../flows/executor';
import type { GrantPlanner } from '../flows/grant-planner';
import type { RequestGate } from '../flows/request-gate';
import type { RequestService } from '../flows/request-service';
import type { SecretPlanner } from '../flows/secret-planner';
import type { Logger } from '../observability/logger';
import type { BackgroundWork } from './background-work';
import type { AccessActions } from '../flows/access-actions';
import type { AccessPauseService } from '../flows/access-pause';
import type { AccessLifecycle } from '../flows/access-lifecycle';
import type { ResourceResolver } from '../flows/resource-resolver';
import type { CardMessenger } from './card-messenger';
import type { RefusedCards } from './welcomes';

/** Settings the chat layer needs. */
export interface BotSettings {
  sandbox: boolean;
  allowedTenantIds: readonly string[];
  /**
   * acrbot's own tenant (FlowSettings.ownTenantId): `policy` tells a user of another allowed
   * tenant that their requests are refused, not a rule that will never apply to them.
   */
  ownTenantId?: string;
  /** Channel (or chat) id for approval cards; else the conversation of the request. */
  approvalChannelId?: string;
  auditChannelId?: string;
}

/** Services shared by the handlers. */
export interface BotServices {
  settings: BotSettings;
  planner: GrantPlanner;
  secretPlanner: SecretPlanner;
  requests: RequestService;
  /** The operators' pause of new access (`pause`, `resume`). */
  pauses: AccessPauseService;
  /** Per-user limits and redelivery, checked before planning (G16). */
  gate: RequestGate;
  executor: Executor;
  /** What can pull what, and why (`access`, `check`; the tab uses the same instance). */
  inventory: AccessInventory;
  /** Records drift that `access`/`check` notice (the `drift.check` job uses the same instance). */
  drift: DriftDetector;
  audit: AuditLog;
  /**
   * The composition root's clock: what a handler draws "as of now" by (`status R-…`'s card, whose
   * grant past its end reads as every grant waiting for its end job), the time the flows read.
   */
  clock: Clock;
  /** The published anchors and the key that signs them (ACRBOT_AUDIT_ANCHOR): `audit verify` checks the store against them. */
  /**
   * Where anchors are published, the key they are signed with, how often
   * (ACRBOT_AUDIT_ANCHOR_INTERVAL), and the clock that says whether anchoring has stopped.
   */
  anchors?: { log: AnchorLog; key: AuditKey; intervalMs: number; clock: Clock };
  messenger: CardMessenger;
  /** Work turns start after answering (form planning); drained on shutdown. */
  background: BackgroundWork;
  log: Logger;
  /** Revoke, extend and expiry (G17); `actions` holds who may revoke/extend and makes extensions (shared with the tab). */
  lifecycle: {
    flow: AccessLifecycle;
    resolver: ResourceResolver;
    defaultAccessMs: number;
    /** ACRBOT_MAX_ACCESS_DURATION: the longest access under a rule that sets none (the policy card says so). */
    maxAccessMs: number;
    actions: AccessActions;
  };
  /** The approvers' cards Teams refused, brought forward when acrbot is added back (welcomes.ts). */
  announcements?: RefusedCards;
  /** The policy file's last refused reload on this instance, while the policy before it stays in force (the policy card says so). */
  policyRefusal?: () => { at: string; reason: string } | undefined;
}
