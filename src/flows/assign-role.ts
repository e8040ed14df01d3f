/**
 * One role assignment PUT with the replication-safe retry: PrincipalNotFound is retried with
 * bounded backoff (a new identity takes a while to reach ARM); RoleAssignmentExists counts
 * as granted.
 */
import type { RoleAssignmentPort } from '../domain/ports';
import { CloudApiError } from '../domain/ports';
import type { RunContext } from './executor';

/** Waits; injectable so tests need not sleep for real. */
export type Sleep = (ms: number) => Promise<void>;

/** Real sleep. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The result of {@link assignRole}. */
export interface AssignResult {
  id?: string;
  alreadyExisted: boolean;
  requestIds: string[];
}

/**
 * PUTs the assignment, retrying PrincipalNotFound; throws the last {@link CloudApiError} otherwise.
 * The run's lease is checked right before each PUT (`ctx.checkLease`): nothing fences an ARM
 * write, and the waits before it (a revocation's lease, up to 75 s; a retry's backoff) can outlast
 * the lease, so a run taken over meanwhile (its request finished elsewhere, then revoked) would
 * make an assignment no grant holds.
 */
export async function assignRole(
  port: RoleAssignmentPort,
  input: { scope: string; name: string; roleDefinitionGuid: string; principalId: string; subscriptionId: string },
  retry: { delaysMs: readonly number[]; sleep: Sleep },
  ctx: RunContext,
): Promise<AssignResult> {
  const requestIds: string[] = [];
  for (let attempt = 0; ; attempt++) {
    // Outside the try: a lost lease is no Azure answer, and is not audited as one.
    await ctx.checkLease?.();
    try {
      const result = await port.create(input);
      if (result.requestId) requestIds.push(result.requestId);
      // Every Azure write is audited in this shape (the secret runner writes its own for tokens).
      await ctx.audit({
        action: 'azure.write.roleAssignment',
        outcome: 'created',
        targetIds: [result.id],
        correlationIds: requestIds,
      });
      return { id: result.id, alreadyExisted: false, requestIds };
    } catch (err) {
      if (!(err instanceof CloudApiError)) throw err;
      if (err.requestId) requestIds.push(err.requestId);
      if (err.code === 'RoleAssignmentExists') {
        await ctx.audit({
          action: 'azure.write.roleAssignment',
          outcome: 'alreadyExists',
          targetIds: [input.scope],
          correlationIds: requestIds,
        });
        return { alreadyExisted: true, requestIds };
      }
      if (err.code === 'PrincipalNotFound' && attempt < retry.delaysMs.length) {
        ctx.log.info({ attempt: attempt + 1 }, 'principal not replicated yet; retrying');
        await retry.sleep(retry.delaysMs[attempt]);
        continue;
      }
      await ctx.audit({
        action: 'azure.write.roleAssignment',
        outcome: `failed:${err.code}`,
        targetIds: [input.scope],
        correlationIds: requestIds,
      });
      throw err;
    }
  }
}
