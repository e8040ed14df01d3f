/** People, groups, settings and policy builders shared by the request-service policy tests. */
import type { Policy, PolicyRule } from '../../../src/domain/policy';
import type { RequestStore } from '../../../src/domain/ports';
import { transition, type AccessRequest, type Actor } from '../../../src/domain/request';
import type { FlowSettings } from '../../../src/flows/settings';
import { HOUR } from './fake-clock';

export const TENANT = '5b1e2c3d-0000-4000-8000-00000000a0a0';
export const SAM: Actor = { objectId: '0a000000-0000-4000-8000-00000000ddd4', name: 'Megan Developer' };
export const OLIVE: Actor = { objectId: '0a000000-0000-4000-8000-00000000eee5', name: 'Adele Operator' };
export const APPROVERS_GROUP = '0b000000-0000-4000-8000-0000000000a9';
export const ONCALL_GROUP = '0b000000-0000-4000-8000-0000000000b8';
export const DAY = 24 * HOUR;

/** Flow settings with no approvers of their own: the policy names them. */
export const settings: FlowSettings = {
  approvalTtlMs: DAY,
  approverIds: [],
  auditorIds: [],
  approverJustificationRequired: false,
  principalRetryDelaysMs: [],
  sandbox: true,
};

/** A rule matching everything, approved by one member of the approvers group unless `extra` says otherwise. */
export function rule(id: string, extra: Partial<PolicyRule> = {}): PolicyRule {
  return {
    id,
    match: {},
    approvers: { users: [], groups: [APPROVERS_GROUP], name: 'Platform Approvers' },
    approvalsRequired: 1,
    approverJustification: 'optional',
    ...extra,
  };
}

/** A policy of `rules` with break-glass for the on-call group. */
export function policy(rules: PolicyRule[], hash = 'hash-1'): Policy {
  return {
    version: 1,
    rules,
    hash,
    source: 'file',
    breakGlass: { groups: [ONCALL_GROUP], maxDurationMs: 4 * HOUR, channel: '19:security@thread.tacv2' },
  };
}

/**
 * Stores an approved request as the executor leaves a finished run: started, then succeeded.
 * A break-glass grant is reviewed only after that (its review would move the run's version).
 */
export async function granted(store: RequestStore, request: AccessRequest, at: Date): Promise<AccessRequest> {
  const executing = transition(request, { type: 'start', at });
  await store.update(executing);
  const done = transition(executing, { type: 'succeed', at, outcome: { summary: 'granted', azureRequestIds: [] } });
  await store.update(done);
  return done;
}
