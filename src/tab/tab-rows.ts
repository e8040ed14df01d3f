/**
 * What the tab shows, as plain JSON rows built from acrbot's records (pure; no I/O). Fields are
 * copied one by one — never spread from a stored record — so nothing the tab does not need
 * (and never a secret) can reach the browser.
 */
import type { AuditEntry } from '../domain/audit-chain';
import type { AccessRequest, RequestState } from '../domain/request';

/** How a cluster pulls from a registry. */
export type PullHow = 'acrbot-role' | 'outside-role' | 'pull-secret';

/** The state of one way of pulling, as the matrix colours it. */
export type PullState = 'pending' | 'active' | 'expiring' | 'expired' | 'revoked' | 'drifted' | 'failed' | 'closed';

/** Access ending within this window is "expiring". */
export const EXPIRING_WINDOW_MS = 7 * 86_400_000;

/** A person, as shown. */
export interface TabPerson {
  objectId: string;
  name: string;
}

/** One request (or one way a cluster pulls) as a row of the tab. */
export interface TabRow {
  /** Request id, or a stable key for access granted outside acrbot. */
  key: string;
  requestId?: string;
  kind: 'grant' | 'secret' | 'outside';
  how: PullHow;
  /** Words for `how`, e.g. "AcrPull role by acrbot" or "pull secret in payments". */
  howText: string;
  requestState?: RequestState;
  state: PullState;
  cluster: { id: string; name: string; subscriptionId: string };
  registry: { id: string; name: string; loginServer?: string };
  requester?: TabPerson;
  reason?: string;
  createdAt?: string;
  /** When the access ends (grant term or secret credential expiry). */
  expiresAt?: string;
  decidedBy?: TabPerson;
  approvers: TabPerson[];
  /** The user may extend / revoke it (decided by the API per caller). */
  canExtend?: boolean;
  canRevoke?: boolean;
}

/** A request's history for the cell drawer. */
export interface TabHistory {
  row: TabRow;
  decision?: { by: TabPerson; at: string; approved: boolean; reason?: string };
  approvals: Array<{ by: TabPerson; at: string; reason?: string }>;
  outcome?: { summary: string; error?: string };
  azureRequestIds: string[];
  audit: Array<{
    seq: number;
    ts: string;
    actor: TabPerson;
    action: string;
    outcome: string;
    detail?: string;
    correlationIds: string[];
  }>;
}

const person = (a: { objectId: string; name: string }): TabPerson => ({ objectId: a.objectId, name: a.name });

/** The pull state of a request at `now`. */
export function pullState(request: AccessRequest, now: Date): PullState {
  if (request.access?.driftDetectedAt) return 'drifted';
  if (request.state === 'revoked' || request.access?.revokedAt) return 'revoked';
  switch (request.state) {
    case 'pending':
    case 'approved':
    case 'executing':
      return 'pending';
    case 'failed':
      return 'failed';
    case 'rejected':
    case 'cancelled':
    case 'expired':
      return 'closed';
    case 'succeeded': {
      const end = accessEnd(request);
      if (!end) return 'active';
      const left = Date.parse(end) - now.getTime();
      if (left <= 0) return 'expired';
      return left <= EXPIRING_WINDOW_MS ? 'expiring' : 'active';
    }
    default:
      return 'closed';
  }
}

/** When the access a request granted ends (grant term, or the secret's credential expiry). */
export function accessEnd(request: AccessRequest): string | undefined {
  if (request.access?.expiresAt) return request.access.expiresAt;
  if (request.plan.kind === 'secret' && request.state === 'succeeded') return request.plan.expiresAt;
  return undefined;
}

/** The row of one request. */
export function requestRow(request: AccessRequest, now: Date): TabRow {
  const plan = request.plan;
  const how: PullHow = plan.kind === 'grant' ? 'acrbot-role' : 'pull-secret';
  const howText =
    plan.kind === 'grant'
      ? `${plan.role} role by acrbot`
      : `pull secret ${plan.secretName} in ${plan.namespace} (${plan.credentialKind === 'token' ? 'ACR token' : 'service principal'})`;
  const approvers = (request.approvals ?? []).map((a) => person(a.by));
  if (approvers.length === 0 && request.decision?.approved) approvers.push(person(request.decision.by));
  return {
    key: request.id,
    requestId: request.id,
    kind: plan.kind,
    how,
    howText,
    requestState: request.state,
    state: pullState(request, now),
    cluster: { id: plan.cluster.id, name: plan.cluster.name, subscriptionId: plan.cluster.subscriptionId },
    registry: { id: plan.registry.id, name: plan.registry.name, loginServer: plan.registry.loginServer },
    requester: person(request.requester),
    reason: request.reason,
    createdAt: request.createdAt,
    expiresAt: accessEnd(request),
    decidedBy: request.decision ? person(request.decision.by) : undefined,
    approvers,
  };
}

/** The history of one request; audit entries are the request's own (already chained and bounded). */
export function requestHistory(request: AccessRequest, audit: readonly AuditEntry[], now: Date): TabHistory {
  const ids = new Set<string>(request.outcome?.azureRequestIds ?? []);
  for (const e of audit) for (const c of e.correlationIds ?? []) ids.add(c);
  return {
    row: requestRow(request, now),
    decision: request.decision
      ? {
          by: person(request.decision.by),
          at: request.decision.at,
          approved: request.decision.approved,
          reason: request.decision.reason,
        }
      : undefined,
    approvals: (request.approvals ?? []).map((a) => ({ by: person(a.by), at: a.at, reason: a.reason })),
    outcome: request.outcome ? { summary: request.outcome.summary, error: request.outcome.error } : undefined,
    azureRequestIds: [...ids],
    audit: audit.map((e) => ({
      seq: e.seq,
      ts: e.ts,
      actor: person(e.actor),
      action: e.action,
      outcome: e.outcome,
      detail: e.detail,
      correlationIds: [...(e.correlationIds ?? [])],
    })),
  };
}
