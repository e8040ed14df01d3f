/**
 * A secret that replaces acrbot's own (an extension's rotation, or a plan that replaces another
 * request's secret): which request wrote the secret before, by acrbot's records alone (G15), and
 * the retirement of the credential that request made once the new one is written.
 */
import type { RequestStore } from '../domain/ports';
import type { SecretPlan } from '../domain/plan';
import type { AccessRequest } from '../domain/request';
import { type CredentialRef, encodeCredentialRef } from '../domain/secret-credential';
import { lastFamilyWriter } from '../domain/secret-holder';
import {
  credentialOf,
  credentialRefProblem,
  deletedSecretReplacementProblem,
  replacedByStartedWrite,
  replacedRequestProblem,
} from '../domain/secret-ownership';
import type { RunContext } from './executor';
import { type CleanupFindings, cleanUpCredentials } from './secret-run-cleanup';
import type { SecretRunnerPorts } from './secret-runner';

/**
 * What an interrupted earlier attempt of `request` replaced, from the record it made before
 * its write (G13): the replaced request, read from the store and checked to be a pull secret
 * for the same target, and its service-account entries as recorded then.
 */
export async function replacedEarlier(
  requests: Pick<RequestStore, 'get'>,
  request: AccessRequest,
  ctx: RunContext,
): Promise<{ previous?: AccessRequest; previousEntries?: string[] }> {
  const replaces = replacedByStartedWrite({ ...request, created: ctx.created() });
  if (!replaces) return {};
  const replaced = await requests.get(replaces.requestId);
  const problem = replacedRequestProblem(request, replaced);
  if (problem) {
    ctx.log.error(
      { replacedRequestId: replaces.requestId, problem },
      'the request an earlier attempt replaced cannot be used; its credential is not retired',
    );
    return {};
  }
  return { previous: replaced, previousEntries: replaces.serviceAccounts };
}

/**
 * The request acrbot's records say wrote the secret `request` is to replace: for an extension,
 * its access's last writer ({@link readLastFamilyWriter}); else the request the approved plan
 * replaces (`plan.replaces`). Undefined when there is none.
 */
export async function recordedWriter(
  requests: Pick<RequestStore, 'get'>,
  request: AccessRequest,
): Promise<AccessRequest | undefined> {
  if (request.extendsRequestId) return readLastFamilyWriter(requests, request);
  const planned = (request.plan as SecretPlan).replaces;
  return planned ? requests.get(planned.requestId) : undefined;
}

/**
 * The request `request`'s approved plan replaces (`plan.replaces`, the card's "Replaces secret
 * ... from request ..."), when the run finds no secret of that name in the cluster: it was
 * deleted outside acrbot (GitOps, a person), and that request's credential still pulls. acrbot's
 * records say whose it is (G15, {@link deletedSecretReplacementProblem}), so the run retires it and
 * the request ends as replaced, as with the secret there; nothing in the cluster is deleted for it.
 * Undefined, logged when the records do not vouch, for anything else (an extension: see
 * {@link readLastFamilyWriter}).
 */
export async function plannedWriterOfDeletedSecret(
  requests: Pick<RequestStore, 'get'>,
  request: AccessRequest,
  ctx: Pick<RunContext, 'log'>,
): Promise<AccessRequest | undefined> {
  const planned = request.plan.kind === 'secret' && !request.extendsRequestId ? request.plan.replaces : undefined;
  if (!planned) return undefined;
  const replaced = await requests.get(planned.requestId);
  const problem = deletedSecretReplacementProblem(request, replaced);
  if (!problem) return replaced;
  ctx.log.warn(
    { replacedRequestId: planned.requestId, problem },
    'the secret the approved plan replaces is gone from the cluster; the request it names is not replaced',
  );
  return undefined;
}

/**
 * The request of `extension`'s access that last wrote its secret, by acrbot's records (G15):
 * its original, or the extension of that original (one that moved its end) whose write came
 * last. Only one that still holds the access (`succeeded`) and wrote that very secret counts.
 * The rotation card names the same request (AccessLifecycle.rotationPlan asks the same function).
 */
export async function readLastFamilyWriter(
  requests: Pick<RequestStore, 'get'>,
  extension: AccessRequest,
): Promise<AccessRequest | undefined> {
  const original = await requests.get(extension.extendsRequestId!);
  if (!original || original.id === extension.id) return undefined;
  const extensions = [];
  for (const id of original.access?.extendedBy ?? []) {
    if (id === extension.id) continue;
    const other = await requests.get(id);
    if (other) extensions.push(other);
  }
  return lastFamilyWriter(original, extensions, extension.plan as SecretPlan);
}

/**
 * Deletes the credential a replaced acrbot secret used, so rotation leaves nothing behind. The
 * credential is rebuilt from the previous request's store records and checked against them
 * (G15); the cluster is never asked what to delete. `pending`: the deletion failed, and the
 * caller records it for the request's clean-up job; `kept`: not deleted before `keepUntil`
 * (a `--kind sp` rotation, whose new role may not apply yet), audited, and recorded the same
 * way for the job, which deletes it then; `left`: the token under its name is not the one acrbot
 * made (Azure dates it otherwise), left in place for an operator, audited `notOurs`; `none`:
 * nothing of acrbot's to delete.
 */
export async function retirePrevious(
  ports: SecretRunnerPorts,
  previous: AccessRequest,
  current: CredentialRef,
  ctx: RunContext,
  keepUntil: Date | undefined,
): Promise<'deleted' | 'pending' | 'kept' | 'left' | 'none'> {
  const ref = credentialOf(previous);
  if (!ref || encodeCredentialRef(ref) === encodeCredentialRef(current)) return 'none';
  const problem = credentialRefProblem(ref, previous);
  if (problem) {
    ctx.log.error({ previousRequestId: previous.id, problem }, "previous credential not deleted: not acrbot's");
    return 'none';
  }
  if (!keepUntil) {
    const findings: CleanupFindings = { deleted: 0 };
    const cleanup = await cleanUpCredentials(ports, [ref], ctx, previous, new Set(), findings);
    return cleanup === 'deleted' && findings.keptTokens?.length ? 'left' : cleanup;
  }
  await ctx.audit({
    action: 'credential.cleanup',
    outcome: 'pending',
    targetIds: [ref.kind === 'token' ? ref.tokenName : ref.applicationId || (ref.uniqueName ?? '')],
    detail: `the credential of ${previous.id}, kept until the new role has had time to apply; deleted from ${keepUntil.toISOString()}`,
  });
  return 'kept';
}
