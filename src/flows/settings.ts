/** Settings the flows need, taken from config by the composition root. */
export interface FlowSettings {
  /** How long a request waits for a decision (ACRBOT_APPROVAL_TTL). */
  approvalTtlMs: number;
  /** Entra object ids allowed to decide (ACRBOT_APPROVERS). */
  approverIds: readonly string[];
  /** Entra group whose transitive members may decide (ACRBOT_APPROVER_GROUP). */
  approverGroupId?: string;
  /** Extra readers of the audit log (ACRBOT_AUDITORS). */
  auditorIds: readonly string[];
  approverJustificationRequired: boolean;
  /** Delays between PrincipalNotFound retries; bounded (about 2 minutes in total by default). */
  principalRetryDelaysMs: readonly number[];
  sandbox: boolean;
  /**
   * The subscriptions served now (ACRBOT_SUBSCRIPTION_IDS with AZURE_SUBSCRIPTION_ID): a request
   * planned in another is not approved (served-subscriptions.ts). Absent (flows run without
   * config): not checked.
   */
  subscriptionIds?: readonly string[];
  /**
   * acrbot's own tenant (MicrosoftAppTenantId; the sandbox's in sandbox mode), whose directory
   * holds its approvers and whose Azure it writes to: a request of another allowed tenant is
   * refused when it is made (own-tenant.ts). Absent (flows run without config): not checked.
   */
  ownTenantId?: string;
  /** Access durations (G17); without them requests have no term (flows run without config). */
  access?: import('../domain/access-term').AccessLimits;
}

/** Default PrincipalNotFound backoff: 2+4+8+16+30+30+30 s ≈ 2 minutes. */
export const DEFAULT_PRINCIPAL_RETRY_DELAYS_MS = [2000, 4000, 8000, 16000, 30000, 30000, 30000];
