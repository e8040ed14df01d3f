/**
 * The command a card suggests to ask for a request's access again: built from its plan in the
 * grammar `grant` and `secret` parse (domain/command.ts), so that pasted as written it asks for
 * the same access (the same namespace, secret name, credential kind, service account and
 * repositories), not a wider or different one.
 */
import { shortDuration } from '../domain/access-term';
import { NEW_SECRET_NAME } from '../domain/command';
import { OTHER_TENANT_ASK_INSTEAD } from '../domain/other-tenant-words';
import type { AccessRequest } from '../domain/request';
import { inertText } from './inert-text';
import { commandNames } from './command-names';

/**
 * `@acrbot grant PAIR --for TERM REASON…` or `@acrbot secret PAIR --namespace NS --name SECRET
 * --kind sp --service-account SA --repositories A,B --for TERM REASON…`, each option only when the
 * request had it (`--kind sp` for a service principal), with the term the request asked for (no
 * `--for` when it recorded none: the default then applies, as it did). No option is written in
 * square brackets: pasted, `[--for 30d]` is refused.
 * `extension`: an extension request is asked for again as `@acrbot extend ORIGINAL --for TERM
 * REASON…` (a new grant or secret beside the original would not move its end). A secret whose
 * run was refused because its name is taken by a secret acrbot may not overwrite
 * (`kubernetes.foreignSecret`) is asked for as `--name NEW-NAME`: the same name is refused again.
 */
export function askAgainCommand(
  request: Pick<AccessRequest, 'plan' | 'access' | 'extendsRequestId' | 'outcome'>,
  options: { extension?: boolean } = {},
): string {
  const plan = request.plan;
  const term = request.access?.permanent
    ? ' --for permanent'
    : request.access?.durationMs
      ? ` --for ${shortDuration(request.access.durationMs)}`
      : '';
  if (options.extension && request.extendsRequestId) return `@acrbot extend ${request.extendsRequestId}${term} REASON…`;
  if (plan.kind === 'grant') return `@acrbot grant ${commandNames(plan)}${term} REASON…`;
  const flags = [
    `--namespace ${plan.namespace}`,
    `--name ${request.outcome?.errorCode === NAME_TAKEN ? NEW_NAME : plan.secretName}`,
    ...(plan.credentialKind === 'sp' ? ['--kind sp'] : []),
    ...(plan.serviceAccount ? [`--service-account ${plan.serviceAccount}`] : []),
    // An empty list is every repository: leaving the option out asks for that again.
    ...(plan.repositories.length ? [`--repositories ${plan.repositories.join(',')}`] : []),
  ];
  // The names are the requester's (valid Kubernetes names, but `www.` one would become a link).
  return `@acrbot secret ${commandNames(plan)} ${inertText(flags.join(' '))}${term} REASON…`;
}

/**
 * What a card says in place of {@link askAgainCommand} to a requester of another tenant than
 * acrbot's own (own-tenant.ts `isOtherTenant`): every request of theirs, an extension too, is
 * refused when it is made, so a command to ask again would only be refused. Why, in the creation
 * refusal's words, and the way on.
 */
export const OTHER_TENANT_NO_ASK_AGAIN = `Asking again would be refused: acrbot's approvers are people of its own organisation's directory, and you are a user of another tenant, so nobody can approve a request of yours from there. ${OTHER_TENANT_ASK_INSTEAD}`;

/** The run's code for a secret name taken by a secret acrbot may not overwrite (secret-ownership.ts). */
const NAME_TAKEN = 'kubernetes.foreignSecret';

/**
 * What the command says in place of a name that was refused: the requester picks another. The
 * parser refuses it pasted as it is, saying it is a placeholder (domain/command.ts).
 */
const NEW_NAME = NEW_SECRET_NAME;

/**
 * The answer to its requester's cancel (`cancel R-…` or the card's Cancel): it can no longer be
 * approved, and the command that asks for the same access again, for them to correct what was
 * wrong before sending it (an extension as `extend`, as {@link askAgainCommand} words it). None to
 * a requester of another tenant than acrbot's own (`otherTenant`, own-tenant.ts `isOtherTenant`):
 * every request of theirs is refused when made. Whether they have asked again already is not
 * read here (it would take a store query in the click's answer): the command is offered all the same.
 */
export function cancelledNotice(
  request: Pick<AccessRequest, 'id' | 'plan' | 'access' | 'extendsRequestId' | 'outcome'>,
  otherTenant: boolean,
): string {
  const cancelled = `You cancelled request ${request.id}; it can no longer be approved.`;
  return otherTenant
    ? cancelled
    : `${cancelled} To ask for it corrected: "${askAgainCommand(request, { extension: true })}".`;
}
