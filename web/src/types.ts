/** The JSON the tab API returns (see src/tab/tab-rows.ts and src/tab/tab-api.ts). */

// One list of states for the API and the page (a type only: nothing of the server is bundled).
export type { PullState } from '../../src/tab/tab-rows';
import type { PullState } from '../../src/tab/tab-rows';

export interface Person {
  objectId: string;
  name: string;
}

export interface Row {
  key: string;
  requestId?: string;
  kind: 'grant' | 'secret' | 'outside';
  how: 'acrbot-role' | 'outside-role' | 'pull-secret';
  howText: string;
  requestState?: string;
  state: PullState;
  cluster: { id: string; name: string; subscriptionId: string };
  registry: { id: string; name: string; loginServer?: string };
  requester?: Person;
  reason?: string;
  createdAt?: string;
  expiresAt?: string;
  /** `expiresAt` is a pull secret's credential expiry (before its term ends): nothing renews it. */
  credentialEnds?: boolean;
  /** With `credentialEnds`: when the access term ends (an extension must end after it). */
  termEndsAt?: string;
  revokingSince?: string;
  endedAt?: string;
  decidedBy?: { name: string; objectId?: string };
  approvers: Person[];
  notes?: string[];
  canExtend?: boolean;
  canRevoke?: boolean;
  extendRange?: { minMs: number; maxMs: number };
  termAsked?: string;
  extendsRequestId?: string;
  extensionWaiting?: string;
}

export interface Me {
  user: Person & { tenantId: string };
  roles: { approver: boolean; auditor: boolean };
  sees: 'all' | 'own';
  actions: { extend: boolean; revoke: boolean };
  /** The operators' pause of new access in force (null when open; absent from older servers). */
  paused?: { since: string; by: string; reason?: string } | null;
  /** The pause could not be read for this answer (the server logged why under this id). */
  pauseUnreadable?: { correlationId: string };
  botAppId: string;
  now: string;
}

export interface MatrixData {
  clusters: Row['cluster'][];
  registries: Row['registry'][];
  rows: Row[];
  /** Clusters whose pulling identity could not be determined (they are not in the matrix). */
  unresolvedClusters: Array<{ name: string; problem: string }>;
  /** Set when acrbot read its records only in part: what may be missing (absent from older servers). */
  incomplete?: string;
  /** The snapshot's name: a digest of what the whole answer shows, not a time (compare for equality only). */
  generatedAt: string;
}

export interface MyAccess {
  requests: Row[];
  grants: Row[];
  approvals: Row[];
}

export interface History {
  row: Row;
  decision?: { by: Person; at: string; approved: boolean; reason?: string };
  approvals: Array<{ by: Person; at: string; reason?: string }>;
  outcome?: { summary: string; error?: string };
  ended?: { at: string; by?: Person; reason?: string };
  azureRequestIds: string[];
  audit: Array<{
    seq: number;
    ts: string;
    actor: Person;
    action: string;
    outcome: string;
    detail?: string;
    correlationIds: string[];
  }>;
}
