/**
 * Input that fails validation in chat is audited as `validation.failed` with its code (G10),
 * wherever it is found: a command that does not parse, the checks made before the questions of
 * a request, an answer to one of those questions. The same entry `RequestHandler.prepare` writes
 * for a request that fails validation while it is planned: one refusal, one entry, whichever way
 * the bad name came in; and a name refused by a read (`check`, `policy`, `access`). A request
 * that cannot be planned for acrbot's own rules is audited here too (`plan.refused`), as is one
 * whose planning was given up at its deadline (`plan.failed`). Other refusals audit themselves (a
 * pause) or are audited once per window (the per-user limits, flows/limit-audit.ts).
 */
import type { TurnContext } from 'botbuilder';
import { isUserFacing } from '../domain/errors';
import { CLUSTER_STOPPED } from '../domain/kube-no-answer';
import { PlanningTimeoutError } from '../flows/planning-deadline';
import type { RequestService } from '../flows/request-service';
import type { TurnIdentity } from './turn-identity';

/** Turn-state key of the turn's {@link ValidationAudit}, read by the request dialog's prompts. */
const TURN_KEY = Symbol('acrbot.validationAudit');

/** Audits `err` when it is a validation failure; anything else is left alone. */
export type ValidationAudit = (err: unknown) => Promise<void>;

/**
 * Names refused by a check of the input against the deployment's settings rather than its form:
 * a resource id in a subscription not in ACRBOT_SUBSCRIPTION_IDS (G10: never read in Azure).
 * Audited as validation failures, in a request and in a read (`check`, `policy`, `access`) alike.
 */
const NAME_REFUSALS: ReadonlySet<string> = new Set(['subscription.notAllowed']);

/**
 * Records `err` as `validation.failed` (outcome: its code, detail: its message, which the audit
 * scrubs and escapes like every detail) when it is a user-facing `validation.*` error. Like
 * every refusal, it stands whether or not the entry could be written (RequestService.recordRefusal).
 */
export async function auditValidationFailure(
  requests: Pick<RequestService, 'recordRefusal'>,
  identity: TurnIdentity,
  err: unknown,
): Promise<void> {
  if (!isUserFacing(err) || !(err.code.startsWith('validation.') || NAME_REFUSALS.has(err.code))) return;
  await requests.recordRefusal({
    actor: identity.actor,
    tenantId: identity.tenantId,
    action: 'validation.failed',
    outcome: err.code,
    detail: err.message,
  });
}

/**
 * The refusals a plan meets in acrbot's own rules rather than in the input or in Azure: a
 * conditional assignment acrbot will not stand beside (`grant.conditionalExists`), a legacy secret
 * only its own access may rotate (`secret.legacyWriter`, G15), a cluster whose only credential is
 * an admin certificate (`cluster.localAccounts`), a stopped cluster a secret was asked in
 * (`cluster.stopped`: its owners chose to stop it, and nothing is stored to approve), a registry
 * being deleted (`registry.deleting`: its owners are deleting it, and acrbot declines whatever
 * ARM would answer, since any access goes with the registry). Audited as `plan.refused` (G11
 * "every refusal"): like a policy refusal, they say no to someone. An error of the environment (acrbot lacks a
 * right, a name is not found) is an answer, not a refusal, and is not listed.
 */
const PLAN_REFUSALS: ReadonlySet<string> = new Set([
  'grant.conditionalExists',
  'secret.legacyWriter',
  'cluster.localAccounts',
  CLUSTER_STOPPED,
  'registry.deleting',
]);

/**
 * Audits a request that could not be planned: a validation failure as {@link auditValidationFailure}
 * does, a refusal by acrbot's own rules ({@link PLAN_REFUSALS}) as `plan.refused` with its code,
 * and planning given up at its deadline ({@link PlanningTimeoutError}) as `plan.failed`;
 * anything else is left alone. Like every refusal, it stands whether or not the entry is written.
 * `asked`: what was asked for, as typed (kind, cluster, registry), for the timeout's entry.
 */
export async function auditPlanningFailure(
  requests: Pick<RequestService, 'recordRefusal'>,
  identity: TurnIdentity,
  err: unknown,
  asked?: string,
): Promise<void> {
  if (err instanceof PlanningTimeoutError) return auditPlanningTimeout(requests, identity, err, asked);
  if (!isUserFacing(err) || !PLAN_REFUSALS.has(err.code)) return auditValidationFailure(requests, identity, err);
  await requests.recordRefusal({
    actor: identity.actor,
    tenantId: identity.tenantId,
    action: 'plan.refused',
    outcome: err.code,
    detail: err.message,
  });
}

/**
 * A request acrbot gave up planning because Azure did not answer in time: not a refusal by its
 * rules, but someone asked for access and was sent away, so it is in the trail (G11) like one, as
 * `plan.failed` (outcome: the error's code). Nothing was resolved, so it names no targets: the
 * detail says what was asked, as typed, and the correlation id is the reference the requester was
 * given and the turn's log lines carry (the outage's warning), so the three can be matched.
 */
async function auditPlanningTimeout(
  requests: Pick<RequestService, 'recordRefusal'>,
  identity: TurnIdentity,
  err: PlanningTimeoutError,
  asked: string | undefined,
): Promise<void> {
  await requests.recordRefusal({
    actor: identity.actor,
    tenantId: identity.tenantId,
    action: 'plan.failed',
    outcome: err.code,
    detail: `${asked ?? err.what}: ${err.message}`,
    ...(err.reference && { correlationIds: [err.reference] }),
  });
}

/**
 * Records a card click whose data is not what acrbot's card carries (forged, or mangled by a
 * client) as `validation.failed`, outcome `badCardData`, naming the button's verb: every refused
 * click is audited (G11), whichever button, one entry each. The caller answers with its card.
 */
export async function auditBadCardData(
  requests: Pick<RequestService, 'recordRefusal'>,
  identity: TurnIdentity,
  verb: string,
): Promise<void> {
  await requests.recordRefusal({
    actor: identity.actor,
    tenantId: identity.tenantId,
    action: 'validation.failed',
    outcome: 'badCardData',
    detail: `verb=${verb}`,
  });
}

/**
 * Makes `audit` the turn's validation audit: the request dialog's prompts validate answers deep
 * inside botbuilder-dialogs, where the turn's identity and acrbot's services are not at hand.
 */
export function setTurnValidationAudit(ctx: TurnContext, audit: ValidationAudit): void {
  ctx.turnState.set(TURN_KEY, audit);
}

/** Audits `err` with the turn's validation audit ({@link setTurnValidationAudit}); none set: nothing. */
export async function auditInTurn(ctx: TurnContext, err: unknown): Promise<void> {
  const audit = ctx.turnState.get(TURN_KEY) as ValidationAudit | undefined;
  await audit?.(err);
}
