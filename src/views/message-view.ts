/** Small cards: messages, errors, help, the grant form, audit listings. */
import type { AuditEntry } from '../domain/audit-chain';
import type { RoleAssignmentInfo } from '../domain/azure-model';
import { COMMAND_HELP } from '../domain/command';
import { isUserFacing } from '../domain/errors';
import type { GrantPlan } from '../domain/plan';
import type { AdaptiveCardJson } from './card-templates';
import type { AccessRequest } from '../domain/request';
import { describeAccess } from '../domain/access-term';
import { OTHER_TENANT_NO_EXTEND_NOTE } from '../domain/other-tenant-words';
import { scopeLevelOf } from '../domain/access-inventory';
import { scrubSecrets } from '../domain/secret-text';
import { cutText } from '../domain/text';
import { renderCard } from './card-templates';
import { groupName } from './group-name';
import { inertText } from './inert-text';
import { errorText, type Fact } from './request-view';
import { tint } from './tint';

/** A titled message; `tone` picks the colour. */
export function messageCard(input: {
  title: string;
  text: string;
  tone?: 'error' | 'info' | 'good';
  hints?: readonly string[];
  facts?: Fact[];
  /** A line of its own above `text`, on a warning background (a notice not to be read as part of it). */
  warning?: string;
  sandbox: boolean;
}): AdaptiveCardJson {
  const color = input.tone === 'error' ? 'Attention' : input.tone === 'good' ? 'Good' : 'Default';
  return renderCard('message', {
    sandbox: input.sandbox,
    title: input.title,
    ...(input.warning && { warning: input.warning, hasWarning: true }),
    text: input.text,
    titleStyle: tint(color),
    hints: input.hints ?? [],
    hasHints: Boolean(input.hints?.length),
    facts: input.facts ?? [],
    hasFacts: Boolean(input.facts?.length),
  });
}

/** A refusal: who may do this, and what the user can do instead. */
export function refusalCard(title: string, text: string, sandbox: boolean): AdaptiveCardJson {
  return messageCard({ title, text, tone: 'error', sandbox });
}

/**
 * The answer to someone who is neither a request's requester nor one of its approvers, asking
 * about it by id (`status R-…`, a typed `withdraw R-…` refused): nothing of the request, not
 * even its state.
 */
export function notYoursToSeeCard(requestId: string, sandbox: boolean): AdaptiveCardJson {
  return refusalCard(
    'Not yours to see',
    `Request ${requestId} belongs to someone else; only its requester and approvers can see it.`,
    sandbox,
  );
}

/**
 * THE sentence for an unexpected failure in chat (a card, a turn's text, a click's answer): the
 * platform team and the reference they look the log line up by, as the tab says it too.
 * `nothingChanged` only where the failure stopped before any change (a command; not a click,
 * which may have been recorded before it failed).
 */
export function unexpectedErrorText(reference: string, nothingChanged: boolean): string {
  return `Something unexpected went wrong${nothingChanged ? '; nothing was changed' : ''}. Try again in a minute, or give the platform team reference ${reference}.`;
}

/** Refusals whose title says more than the command's "Could not …" would. */
const TITLE_BY_CODE: Record<string, string> = { 'access.paused': 'New access is paused' };

/**
 * The card for a command that failed: a user-facing error shows its message and hints; any
 * other error shows only `reference` (the caller logs the error itself under it), never its text.
 */
export function errorCard(input: {
  err: unknown;
  title?: string;
  reference: string;
  sandbox: boolean;
}): AdaptiveCardJson {
  const title = (isUserFacing(input.err) && TITLE_BY_CODE[input.err.code]) || input.title || 'That did not work';
  // Error messages quote what was typed ("\"![img](https://…)\" is not a valid registry name")
  // or what Azure answered: error text, neutralised like every other piece of user text in a card.
  if (isUserFacing(input.err))
    return messageCard({
      title,
      text: errorText(input.err.message),
      tone: 'error',
      hints: input.err.hints.map(inertText),
      sandbox: input.sandbox,
    });
  return messageCard({
    title,
    text: unexpectedErrorText(input.reference, true),
    tone: 'error',
    sandbox: input.sandbox,
  });
}

/**
 * The answer to a message whose only content acrbot does not read (what bot/message-content.ts
 * `unreadContent` finds): a card's button clicked in a client that sends the click as a message
 * (`cardSubmit`), or a file, image or card (`attachment`). Either way nothing was changed, and
 * the card says what to type instead.
 */
export function unreadContentCard(unread: 'cardSubmit' | 'attachment', sandbox: boolean): AdaptiveCardJson {
  return unread === 'cardSubmit'
    ? messageCard({
        title: 'That button does not work here',
        text: "The click arrived as a message, which acrbot does not act on: acrbot's buttons need a Teams version with Universal Actions, and other apps' cards are not acrbot's. Nothing was changed. Update Teams, or type the command, e.g. \"@acrbot status REQUEST-ID\".",
        tone: 'error',
        sandbox,
      })
    : messageCard({
        title: 'acrbot reads typed text only',
        text: 'Files, images and cards sent to acrbot are not read; nothing was changed. Type a command instead, e.g. "@acrbot help".',
        tone: 'error',
        sandbox,
      });
}

/** The answer to a grant whose cluster can already pull from the registry: no request is created. */
export function alreadyGrantedCard(
  plan: GrantPlan,
  existing: RoleAssignmentInfo,
  sandbox: boolean,
  /** The requester's own active acrbot request holding it: the card says how to extend it (never a break-glass one). */
  mine?: AccessRequest,
  /** The existing assignment's role by name (from its definition), when known. */
  existingRoleName?: string,
  /**
   * Ended acrbot grants whose records say they created this very assignment, when no active grant
   * holds it (grant-planner.ts `endedGrantsBehind`): the card says it was left behind and how to
   * have it removed.
   */
  leftBy: readonly AccessRequest[] = [],
  /**
   * The asker is of another tenant than acrbot's own (own-tenant.ts `isOtherTenant`; `mine` then
   * an earlier release's grant): their extension is refused when asked for, so none is offered,
   * and the card says why and what to do instead, as their expiry reminder does.
   */
  askerOfOtherTenant = false,
): AdaptiveCardJson {
  // A break-glass grant is never extended: "extend" would only be refused.
  const extendable = mine && !mine.policy?.breakGlass ? mine : undefined;
  const left = !extendable && leftBy.length ? ` ${leftBehind(plan, existing, leftBy)}` : '';
  const yours = !extendable
    ? ''
    : askerOfOtherTenant
      ? ` It is your request ${extendable.id} (${describeAccess(extendable)}). ${OTHER_TENANT_NO_EXTEND_NOTE}`
      : ` It is your request ${extendable.id} (${describeAccess(extendable)}); to keep it longer: "extend ${extendable.id} --for 30d REASON…".`;
  return messageCard({
    title: 'Access already exists',
    text: `${plan.identity.description} ${plan.identity.objectId} of ${plan.cluster.name} can already pull from ${plan.registry.name}; no request was created.${yours}${left}`,
    tone: 'good',
    // Words where acrbot knows them; full ARM ids clip in a fact set.
    facts: [
      { label: 'Assignment', value: existing.name },
      { label: 'Role', value: roleWords(existing, plan, existingRoleName) },
      { label: 'Scope', value: scopeWords(existing.scope, plan) },
    ],
    sandbox,
  });
}

/**
 * Why an assignment nobody's grant holds is still there, and the way out: acrbot deletes an
 * assignment only when a grant of its own ends (G17), so one its ended grants left behind (an
 * orphan watch that ended, a revocation that kept it) stays without an end until someone removes
 * it; a new grant asked after that has an end again. acrbot does not delete it here: an approver
 * never decided that, and the cluster's pull goes with it.
 */
function leftBehind(plan: GrantPlan, existing: RoleAssignmentInfo, leftBy: readonly AccessRequest[]): string {
  // A few ids and a count of the rest: `check` lists them all.
  const ids =
    leftBy.length > 4
      ? `${leftBy
          .slice(0, 3)
          .map((r) => r.id)
          .join(', ')} and ${leftBy.length - 3} others`
      : leftBy.map((r) => r.id).join(', ');
  const grants =
    leftBy.length === 1 ? `acrbot grant ${ids}, which has ended` : `acrbot grants ${ids}, which have ended`;
  return `The role assignment is left from ${grants}, and no acrbot grant holds it now, so it has no end. To have it removed, someone allowed to delete role assignments on ${plan.registry.name} runs: az role assignment delete --ids ${inertText(existing.id)} — ${plan.cluster.name} then cannot pull until a new grant is approved; ask for one (with an end) after that.`;
}

/**
 * The assignment's role by name: the one acrbot grants, or the name its definition gives
 * (Contributor, a custom role: Azure's text, neutralised like user text); else its id.
 */
function roleWords(existing: RoleAssignmentInfo, plan: GrantPlan, roleName?: string): string {
  const guid = existing.roleDefinitionId.split('/').pop() ?? '';
  if (guid.toLowerCase() === plan.role.id.toLowerCase()) return plan.role.name;
  return roleName ? `${inertText(roleName)} (role definition ${guid})` : `role definition ${guid}`;
}

/** "the registry contosoacr itself", "resource group rg-acr", "subscription …", else the scope as it is. */
function scopeWords(scope: string, plan: GrantPlan): string {
  const { registry } = plan;
  switch (scopeLevelOf(scope, registry)) {
    case 'registry':
      return `the registry ${registry.name} itself`;
    case 'resourceGroup':
      return `resource group ${groupName(registry.resourceGroup)}`;
    case 'subscription':
      return `subscription ${registry.subscriptionId}`;
    default:
      return inertText(scope);
  }
}

const helpCards = new Map<boolean, AdaptiveCardJson>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Every command with an example. The card never changes: expanded once and shared, frozen (template expansion dominated a help turn). */
export function helpCard(sandbox: boolean): AdaptiveCardJson {
  let card = helpCards.get(sandbox);
  if (!card) {
    card = deepFreeze(renderCard('help', { sandbox, title: 'acrbot commands', single: false, commands: COMMAND_HELP }));
    helpCards.set(sandbox, card);
  }
  return card;
}

/**
 * One command's usage, description and example (`grant help`, `grant --help`): what was asked
 * about, not the whole list to search; the help card for a verb that is no command.
 */
export function commandHelpCard(verb: string, sandbox: boolean): AdaptiveCardJson {
  const help = COMMAND_HELP.find((c) => c.verb === verb);
  if (!help) return helpCard(sandbox);
  return renderCard('help', { sandbox, title: `acrbot ${help.verb}`, single: true, commands: [help] });
}

/**
 * The grant form, optionally pre-filled and with an error line. A refused form comes back filled
 * in with what was submitted, in a message every member of the conversation sees (the form's
 * message is updated in place): a password pasted into a field, which acrbot refuses as a reason
 * or quotes in a name's error, is scrubbed from the fields as from the error line (G12).
 */
export function grantFormCard(input: {
  sandbox: boolean;
  cluster?: string;
  registry?: string;
  reason?: string;
  error?: string;
}): AdaptiveCardJson {
  return renderCard('grant-form', {
    sandbox: input.sandbox,
    cluster: scrubSecrets(input.cluster ?? ''),
    registry: scrubSecrets(input.registry ?? ''),
    reason: scrubSecrets(input.reason ?? ''),
    error: input.error ? errorText(input.error) : '',
    hasError: Boolean(input.error),
  });
}

/** How many hex characters of the head's MAC (or hash) the audit channel card shows. */
export const HEAD_PREFIX_LENGTH = 16;

/**
 * The chain head as the audit channel card publishes it: its seq and a MAC prefix (the hash
 * prefix, marked unkeyed, when no audit key is configured). Posted to Teams, it is a copy of the
 * head outside the store: a later rewrite of the store cannot change what Teams already shows.
 */
export function chainHeadText(head: Pick<AuditEntry, 'seq' | 'hash' | 'mac'>): string {
  return head.mac
    ? `Chain head: #${head.seq} · MAC ${head.mac.slice(0, HEAD_PREFIX_LENGTH)}`
    : `Chain head: #${head.seq} · hash ${head.hash.slice(0, HEAD_PREFIX_LENGTH)} (unkeyed)`;
}

/**
 * Most UTF-8 bytes a card's JSON may take: Teams asks for cards under 28 KB (and refuses a
 * message above about 100 KB); the rest of the activity needs room too.
 */
export const CARD_MAX_BYTES = 27_000;

/** UTF-8 bytes of a value as JSON, as it goes over the wire. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** "…" in UTF-8. */
const ELLIPSIS_BYTES = 3;

/**
 * `text` cut to its first `maxChars` characters (code points) and to at most `maxJsonBytes` UTF-8
 * bytes (as escaped in JSON, "…" included), ending in "…" when cut. It cuts between graphemes
 * ({@link cutText}), so a card never carries half a character, half a flag or a letter without
 * its accent.
 */
export function shortenForCard(text: string, maxChars: number, maxJsonBytes = Infinity): string {
  const sizes = Array.from(text, (ch) => ({ units: ch.length, bytes: jsonBytes(ch) - 2 }));
  if (sizes.length <= maxChars && sizes.reduce((sum, c) => sum + c.bytes, 0) <= maxJsonBytes) return text;
  let end = 0;
  let bytes = ELLIPSIS_BYTES;
  for (const [i, c] of sizes.entries()) {
    if (i === maxChars || bytes + c.bytes > maxJsonBytes) break;
    bytes += c.bytes;
    end += c.units;
  }
  return `${cutText(text, end)}…`;
}

/** Characters of an audit entry's detail a listing shows; the audit log keeps all of it. */
const AUDIT_DETAIL_SHOWN = 200;
/** Characters of a display name a listing shows (Teams names are user text of any length). */
const NAME_SHOWN = 40;

/**
 * A listing of audit entries; with `head` (the audit channel card) it also shows the chain head
 * at the moment the card was rendered. Details and names are shortened for the card only (the
 * audit log keeps them whole): each detail to {@link AUDIT_DETAIL_SHOWN} characters, and all of
 * them further when 50 long ones (CJK text takes three bytes a character) would not fit in
 * {@link CARD_MAX_BYTES}.
 */
export function auditCard(
  title: string,
  subtitle: string,
  entries: AuditEntry[],
  sandbox: boolean,
  head?: Pick<AuditEntry, 'seq' | 'hash' | 'mac'>,
): AdaptiveCardJson {
  // Names, reasons and comments are user text: no live links, images or mentions (made inert
  // before shortening, so the bytes counted are the bytes sent). Details are error text too: an
  // entry stored before audit details were scrubbed (auditText) still holds the secret an Azure
  // error quoted, and the trail keeps it as stored (its hash covers it), so the card scrubs it.
  const rows = entries.map((e) => ({
    seq: e.seq,
    action: e.action,
    outcome: e.outcome,
    ts: `${e.ts.slice(0, 19).replace('T', ' ')} UTC`,
    actor: shortenForCard(inertText(e.actor.name), NAME_SHOWN),
    requestId: e.requestId ?? '—',
    detail: errorText(e.detail ?? ''),
  }));
  const render = (details: readonly string[]) =>
    renderCard('audit', {
      sandbox,
      title: shortenForCard(title, 200),
      head: head ? chainHeadText(head) : '',
      subtitle: shortenForCard(inertText(subtitle), 300),
      entries: rows.map((r, i) => ({ ...r, detail: details[i] })),
    });
  const shown = rows.map((r) => shortenForCard(r.detail, AUDIT_DETAIL_SHOWN));
  const card = render(shown);
  const size = jsonBytes(card);
  const detailed = shown.filter(Boolean).length;
  if (size <= CARD_MAX_BYTES || detailed === 0) return card;
  // Each detail gets an equal share of the bytes the rest of the card leaves.
  const detailBytes = shown.reduce((sum, d) => sum + jsonBytes(d) - 2, 0);
  const share = Math.max(ELLIPSIS_BYTES, Math.floor((CARD_MAX_BYTES - (size - detailBytes)) / detailed));
  return render(shown.map((d) => shortenForCard(d, AUDIT_DETAIL_SHOWN, share)));
}
