/**
 * Cards of the access lifecycle (G17): the revoke confirmation (exactly what will be deleted),
 * the expiry reminder with an Extend button (none while new access is paused, while an extension
 * of it waits for approval, nor for a grant removed outside acrbot), and the messages the
 * requester gets when their request is decided, fails, ends or is revoked.
 */
import { extensionsPaused, type PauseAsTold } from '../domain/access-pause';
import { describeAccess, describeTimeLeft, formatUtc, shortDuration } from '../domain/access-term';
import type { ApproverReportStyle } from '../domain/approver-report';
import {
  askOwners,
  type KeptAssignment,
  type OutsidePull,
  type RegistryOpen,
  registryOpenWords,
} from '../domain/audit-end-words';
import { outsidePullCardWords } from '../domain/outside-pull-card-words';
import { closedByClusterGoneNote, clusterGoneNote } from '../domain/cluster-gone';
import { driftedReminderNote } from '../domain/drifted-access';
import { originalLostAtExpiry } from '../domain/extension-deadline';
import { lateEndWords } from '../domain/late-end';
import { ACRBOT_ACTOR, type AccessRequest, type Actor } from '../domain/request';
import { revocationFingerprint } from '../domain/revocation-fingerprint';
import {
  extensionRevokeNote,
  type RevocationLine,
  revocationStepWords,
  revokeChangedWords,
  revokeEndsWords,
} from '../domain/revocation-step-words';
import type { SecretPlan } from '../domain/plan';
import type { AdaptiveCardJson } from './card-templates';
import { renderCard } from './card-templates';
import { requestInTitle } from './request-in-title';
import { jsonBytes, shortenForCard } from './message-view';
import { inertText } from './inert-text';
import type { UnservedResource } from '../domain/served-subscriptions';
import { OTHER_TENANT_NO_EXTEND_NOTE } from '../domain/own-tenant';
import { NOT_SERVED_NOTE, noExtendReason, unservedSubscriptionNote } from './reminder-extend';
import { askAgainCommand, OTHER_TENANT_NO_ASK_AGAIN } from './ask-again-command';
import { deciders, errorText, type Fact } from './request-view';
import { tint } from './tint';

/**
 * One line of a revocation preview (domain/revocation-step-words.ts), named here too for these
 * cards' callers and tests.
 */
export type { RevocationLine };

/** What a lifecycle card shows. */
export interface LifecycleCardInput {
  sandbox: boolean;
  title: string;
  text: string;
  color?: 'Good' | 'Attention' | 'Warning' | 'Default' | 'Accent';
  /**
   * Sentences after `text`, each its own block so each reads on its own. Warnings are drawn
   * first, each on a warning-styled background in the body's text colour: Warning-coloured text
   * is unreadable on a white card (2.4:1 on the renderer's default host config, less in Teams'
   * light sample; test/e2e/cards-axe.test.ts).
   */
  notes?: Array<{ text: string; warning?: boolean }>;
  facts?: Fact[];
  steps?: string[];
  /**
   * The title of a button that shows the steps, hidden until it is clicked: a long list would
   * push the card's buttons thousands of pixels down on a phone.
   */
  stepsToggle?: string;
  extend?: { defaultDuration: string };
  /**
   * `version`: a revoke card's {@link revocationFingerprint} of what it lists, which its click
   * compares (an Extend compares `endsAt` instead).
   */
  actions?: Array<{
    title: string;
    verb: string;
    requestId: string;
    version?: number | string;
    reason?: string;
    /** Extend: the end of the access the card was drawn with, which its click compares. */
    endsAt?: string;
  }>;
}

/**
 * A reminder's Extend, carrying the access end it was drawn with (`endsAt`): a click after the
 * access was extended some other way (from chat, the tab, another reminder) is refused instead
 * of filing a second extension that would add a day or two (access-actions.ts, `drawnEnd`).
 */
export function extendAction(request: AccessRequest): NonNullable<LifecycleCardInput['actions']>[number] {
  return {
    title: 'Extend',
    verb: 'extend',
    requestId: request.id,
    endsAt: request.access?.expiresAt ?? '',
  };
}

/** Draws a card of the lifecycle template (also the grouped reminder's, grouped-reminder-view.ts). */
export function lifecycleCard(input: LifecycleCardInput): AdaptiveCardJson {
  return renderCard('lifecycle', {
    sandbox: input.sandbox,
    title: input.title,
    // A coloured title is drawn on a background of its tint in the body's text colour (tint.ts).
    titleStyle: tint(input.color),
    text: input.text,
    warnings: (input.notes ?? []).filter((n) => n.warning).map((n) => ({ text: n.text, color: 'Default' })),
    notes: (input.notes ?? []).filter((n) => !n.warning).map((n) => ({ text: n.text, color: 'Default' })),
    facts: input.facts ?? [],
    hasFacts: Boolean(input.facts?.length),
    steps: input.steps ?? [],
    hasSteps: Boolean(input.steps?.length) && !input.stepsToggle,
    hasHiddenSteps: Boolean(input.steps?.length) && Boolean(input.stepsToggle),
    stepsToggle: input.stepsToggle ?? '',
    showExtendInputs: Boolean(input.extend),
    defaultDuration: input.extend?.defaultDuration ?? '',
    actions: (input.actions ?? []).map((a) => ({
      ...a,
      version: a.version ?? 0,
      reason: a.reason ?? '',
      endsAt: a.endsAt ?? '',
    })),
  });
}

/** What the access is: a grant's pair and role, or the secret and where. */
export function subject(request: AccessRequest): string {
  const plan = request.plan;
  return plan.kind === 'grant'
    ? `${plan.cluster.name} → ${plan.registry.name} (${plan.role.name})`
    : // The secret's name is the requester's (`--name www.evil.example` is a valid one): user text.
      `secret ${plan.namespace}/${inertText(plan.secretName)} in ${plan.cluster.name} for ${plan.registry.name}`;
}

/**
 * What "your access" reaches, as a sentence goes on after it ("your access to …"): a grant's
 * pair and role, a secret's registry and the secret it pulls through.
 */
function accessTo(request: AccessRequest): string {
  const plan = request.plan;
  return plan.kind === 'grant'
    ? `to ${subject(request)}`
    : `to ${plan.registry.name} through secret ${plan.namespace}/${inertText(plan.secretName)} in ${plan.cluster.name}`;
}

function facts(request: AccessRequest): Fact[] {
  return [
    { label: 'Request', value: request.id },
    { label: 'Access', value: subject(request) },
    // Names who revoked it, if someone did: a Teams display name is user text.
    { label: 'Term', value: inertText(describeAccess(request)) },
  ];
}

/**
 * A grant that met an assignment made outside acrbot ("Access was already in place") created
 * nothing, so its end removes nothing: said so, rather than "revoked" alone while the cluster
 * keeps pulling.
 */
const HELD_OUTSIDE_ACRBOT =
  'The cluster can still pull: the role assignment it uses was there before acrbot and stays (acrbot removes only what it made); ask its owners to remove it if it should go.';

/**
 * The sentence for assignments acrbot did not make that still let the cluster pull, listed at
 * the grant's end: the audit entry's words with each scope named as the request card names it,
 * not by its ARM id ({@link outsidePullCardWords}); after {@link HELD_OUTSIDE_ACRBOT}, which the
 * one the grant met is left to. A custom role's name and a resource group's are not acrbot's to
 * vouch for: made inert.
 */
function stillPulls(request: AccessRequest, pulls: readonly OutsidePull[] | undefined): string | undefined {
  const listed = pulls ?? [];
  const words = outsidePullCardWords(request.plan.registry, listed);
  return words ? inertText(`${words.replace(/^./, (c) => c.toUpperCase())}; ${askOwners(listed.length)}.`) : undefined;
}

/**
 * Whether the ended grant's assignment stays because acrbot did not make it: the revocation's
 * word when it gives one; else the request's own RoleAssignmentExists flag, which an extension
 * carries too though it only means "nothing re-created" there (its original's assignment).
 */
function heldOutside(request: AccessRequest, told: boolean | undefined): boolean {
  return told ?? (Boolean(request.outcome?.alreadyPresent) && !request.extendsRequestId);
}

/**
 * The sentence for a grant whose role assignment its end kept for other grants (overlap): the
 * cluster keeps pulling through it until the last of them ends, or, when they could not all be
 * read, until the platform team removes it (said so: acrbot deletes only what no grant holds, and
 * could not tell). A registry's name is not acrbot's to vouch for: made inert.
 */
function keptWords(kept: KeptAssignment | undefined): string | undefined {
  if (!kept?.why) return undefined;
  const until = kept.until ? ` until ${formatUtc(kept.until)}` : '';
  const then = kept.complete
    ? '; acrbot deletes it when the last grant holding it ends'
    : '; it stays until the platform team removes it once no grant needs it (acrbot could not read every grant that uses it, so it leaves it in place)';
  return inertText(`The cluster can still pull through the same role assignment: ${kept.why}${until}${then}.`);
}

/**
 * What the registry itself lets in whatever roles say (anonymous pull, its admin user), read at the
 * end: `check`'s facts in the end's words ({@link registryOpenWords}). A registry's name and login
 * server are not acrbot's to vouch for: made inert.
 */
function registryOpenSentence(request: AccessRequest, open: RegistryOpen | undefined): string | undefined {
  const words = registryOpenWords(request.plan.registry, open);
  return words ? inertText(`${words.replace(/^./, (c) => c.toUpperCase())}.`) : undefined;
}

/**
 * What the end notice adds when the cluster can still pull: the assignment the grant met or kept,
 * the others listed, what the registry itself lets in.
 */
function endLeftWords(
  request: AccessRequest,
  news: {
    heldOutsideAcrbot?: boolean;
    outsidePulls?: readonly OutsidePull[];
    registryOpen?: RegistryOpen;
    kept?: KeptAssignment;
  },
): string {
  const held = heldOutside(request, news.heldOutsideAcrbot) ? HELD_OUTSIDE_ACRBOT : undefined;
  const still = stillPulls(request, news.outsidePulls);
  const open = registryOpenSentence(request, news.registryOpen);
  return [held, keptWords(news.kept), still, open].map((s) => (s ? ` ${s}` : '')).join('');
}

/**
 * The first warning of a revoke card drawn again by its click because what it listed changed
 * (its fingerprint no longer matches): nothing was revoked. The tab says the same of its list.
 */
const CHANGED_SINCE_DRAWN = revokeChangedWords('card');

/**
 * The confirmation before a revoke: every object that will be deleted (or kept, and why), for
 * `request`, the request the revoke ends. `asked`: the extension named in the command when that is
 * its original's access (revoking it ends the original and its extensions), said first.
 * `changed`: drawn again by a click on an older copy. Its button carries the preview's
 * fingerprint ({@link revocationFingerprint}), which the click compares before it acts.
 */
export function revokeConfirmCard(
  request: AccessRequest,
  lines: RevocationLine[],
  reason: string | undefined,
  options: { asked?: AccessRequest; changed?: boolean } = {},
): AdaptiveCardJson {
  const { asked, changed } = options;
  const extensionNote = asked && asked.id !== request.id ? `${extensionRevokeNote(asked.id, request.id)} ` : '';
  return lifecycleCard({
    sandbox: request.sandbox,
    title: `Revoke ${request.id}?`,
    text: `${extensionNote}${revokeEndsWords(reason && inertText(reason))}`,
    color: 'Warning',
    // Set apart, on a warning background: the approver clicked a card whose list is no longer true.
    ...(changed && { notes: [{ text: CHANGED_SINCE_DRAWN, warning: true }] }),
    facts: facts(request),
    // A step names what the requester chose (a secret or service account name such as
    // `www.evil.example`, which clients turn into a link): user text, made inert.
    // Worded as the tab's Revoke preview words them (domain/revocation-step-words.ts).
    steps: lines.map((l) => inertText(revocationStepWords(l))),
    actions: [
      {
        title: 'Revoke now',
        verb: 'revokeConfirm',
        requestId: request.id,
        version: revocationFingerprint([{ request, lines }]),
        reason: reason ?? '',
      },
    ],
  });
}

/** Steps a pair's confirmation card lists at most; the rest are counted (all are revoked). */
export const PAIR_STEPS_SHOWN = 30;
/**
 * UTF-8 bytes the listed steps of a pair's confirmation take at most: with the ids of
 * PAIR_REVOKE_LIMIT requests in its button and a 500-character reason twice, the card stays
 * under CARD_MAX_BYTES (message-view.ts).
 */
const PAIR_STEPS_BYTES = 14_000;
/**
 * Step lines a revoke confirmation shows open (about a phone's screen of them); more go behind a
 * "Show or hide" button, so the summary above them and the button that revokes stay within a
 * phone's first screens, while a card of a few deletions shows them beside its button.
 */
const STEPS_OPEN = 8;
/** Characters of one listed step, and of a requester's name in it (user text of any length). */
const STEP_SHOWN = 400;
const NAME_SHOWN = 40;

/**
 * The steps below are a preview: each request is revoked on its own when the button is clicked,
 * and one refused then (it ended or changed meanwhile) keeps what it shares with the others.
 */
const PAIR_STEPS_AS_OF_NOW =
  'The steps are as of now: a role assignment is deleted only if no grant that stays active still holds it when you click. Access granted outside acrbot is not touched.';

/**
 * The confirmation before revoking every acrbot request (grant or pull secret) on a cluster and registry. It lists the
 * first steps (at most {@link PAIR_STEPS_SHOWN}, within {@link PAIR_STEPS_BYTES}) and counts the
 * rest: one line for each of 200 requests would not fit in a card Teams accepts.
 */
export function revokePairConfirmCard(
  input: SeveralRevokeInput & { cluster: string; registry: string },
  requests: Array<{ request: AccessRequest; lines: RevocationLine[] }>,
): AdaptiveCardJson {
  return revokeSeveralConfirmCard(
    {
      ...input,
      scope: 'pair',
      // "requests": what `revoke R-…` ends, a pull secret as much as a grant.
      title: `Revoke ${requests.length} acrbot request${requests.length === 1 ? '' : 's'} of ${input.cluster} on ${input.registry}?`,
      all: 'Every active acrbot request on this pair ends now',
    },
    requests,
  );
}

/** What a confirmation of several requests at once (a pair's, a registry's) is told besides its list. */
export interface SeveralRevokeInput {
  sandbox: boolean;
  reason?: string;
  /** Active requests there this approver may not revoke, said in a sentence (another rule's). */
  leftOut?: string;
  /** Drawn again by a click on an older copy, whose list changed since. */
  changed?: boolean;
  /** The requests there not run yet, which the revoke leaves alone, in a sentence (not-run-yet-note.ts). */
  waiting?: string;
  /** This approver's requests beyond what one card carries, counted in a sentence (for the next ask). */
  beyond?: string;
  /** That the read stopped at its cap, so there may be more, in a sentence (revoke-scope.ts `cutReadNote`). */
  cut?: string;
}

/**
 * The confirmation before revoking several requests at once (`revoke CLUSTER REGISTRY`, `revoke
 * registry NAME`). It opens with `all` ("Every … ends now") only when the click ends every
 * active request there: none left to another rule (`leftOut`), none beyond this card (`beyond`),
 * a read not cut (`cut`), and `all` given (a registry's card omits it when another tenant's
 * requests stay); otherwise with "The active acrbot requests below … end now", so an approver in
 * an incident never reads a partial revoke as a clean one. `lead` follows in the same block (it
 * speaks of the listed requests); then, each in its own block, `beyond` and `cut` as warnings,
 * `leftOut`, `more` (the scope's own), the steps as of now, and `waiting`. Its steps are
 * {@link severalSteps}, each request's lines headed by `heading` (its id, by default), behind a
 * button that shows them when there are more than {@link STEPS_OPEN} lines; its button
 * carries every id and the fingerprint of `scope`, which the click compares.
 */
export function revokeSeveralConfirmCard(
  input: SeveralRevokeInput & {
    scope: 'pair' | 'registry';
    title: string;
    all?: string;
    lead?: string;
    more?: string[];
    heading?: (request: AccessRequest) => string;
  },
  requests: Array<{ request: AccessRequest; lines: RevocationLine[] }>,
): AdaptiveCardJson {
  const reason = input.reason ? ` (reason: "${inertText(input.reason)}")` : '';
  const one = requests.length === 1;
  const everything = input.all && !input.leftOut && !input.beyond && !input.cut;
  const opening = everything
    ? input.all
    : `The active acrbot request${one ? '' : 's'} below, which you may revoke, end${one ? 's' : ''} now`;
  const notes = [
    ...[input.changed && CHANGED_SINCE_DRAWN, input.beyond, input.cut].map((text) => text && { text, warning: true }),
    ...[input.leftOut, ...(input.more ?? []), PAIR_STEPS_AS_OF_NOW, input.waiting].map((text) => text && { text }),
  ].filter((n): n is { text: string; warning?: boolean } => Boolean(n));
  const steps = severalSteps(requests, input.heading ?? ((r) => r.id));
  // Every step, also those the list counts without showing: what the click does.
  const count = requests.reduce((sum, r) => sum + r.lines.length, 0);
  return lifecycleCard({
    sandbox: input.sandbox,
    title: input.title,
    text: `${opening}${reason}.${input.lead ? ` ${input.lead}` : ''}`,
    notes,
    color: 'Warning',
    steps,
    stepsToggle: steps.length > STEPS_OPEN ? `Show or hide the ${count} steps` : undefined,
    actions: [
      {
        title: requests.length === 1 ? 'Revoke it' : `Revoke all ${requests.length}`,
        verb: 'revokeConfirm',
        requestId: requests.map((r) => r.request.id).join(','),
        // Every step, also those the card counts without listing: the click revokes them all.
        version: revocationFingerprint(requests, input.scope),
        reason: input.reason ?? '',
      },
    ],
  });
}

/**
 * The listed steps of a confirmation of several requests, each headed by `heading` (the request's
 * id, with its cluster on a registry's card), and a line counting those left out.
 */
function severalSteps(
  requests: Array<{ request: AccessRequest; lines: RevocationLine[] }>,
  heading: (request: AccessRequest) => string,
): string[] {
  const all = requests.flatMap(({ request, lines }, index) =>
    lines.map((l) => ({
      index,
      // The target names what the requester chose (secret, service account): user text like the
      // name, so the whole line is made inert too (inertText leaves inert text as it is).
      text: shortenForCard(
        inertText(
          `${heading(request)} (${shortenForCard(inertText(request.requester.name), NAME_SHOWN)}): ${l.action === 'delete' ? 'delete' : 'keep'} ${l.what} ${l.target}${l.why ? ` — ${l.why}` : ''}`,
        ),
        STEP_SHOWN,
      ),
    })),
  );
  const shown: string[] = [];
  const listed = new Set<number>();
  let bytes = 0;
  for (const step of all) {
    bytes += jsonBytes(step.text);
    if (shown.length === PAIR_STEPS_SHOWN || bytes > PAIR_STEPS_BYTES) break;
    shown.push(step.text);
    listed.add(step.index);
  }
  const more = all.length - shown.length;
  if (more === 0) return shown;
  const unlisted = requests.length - listed.size;
  return [
    ...shown,
    `…and ${more} more step${more === 1 ? '' : 's'}${unlisted ? ` (of ${unlisted} more request${unlisted === 1 ? '' : 's'})` : ''} not listed here; they are carried out too ("revoke REQUEST-ID" shows one request's).`,
  ];
}

/**
 * A short answer on the card the user clicked (done, refused, under way). Its text may carry
 * refusals' sentences, which quote names and answers from Azure and the store: neutralised like
 * every refusal's ({@link errorText}).
 */
export function lifecycleNoticeCard(input: {
  title: string;
  text: string;
  ok: boolean;
  sandbox: boolean;
}): AdaptiveCardJson {
  return lifecycleCard({
    sandbox: input.sandbox,
    title: input.title,
    text: errorText(input.text),
    color: input.ok ? 'Good' : 'Attention',
  });
}

/**
 * While new access is paused (`paused`): the sentence a reminder says instead of offering Extend,
 * with who paused it neutralised (user text).
 */
export function pausedNote(paused: PauseAsTold): string {
  return extensionsPaused({ since: paused.since, by: { name: inertText(paused.by.name) } });
}

/**
 * Why a reminder offers no Extend when no term allowed would move the end by much
 * (extension-terms.ts): an extension's term counts from when it is granted.
 */
const NO_TERM_YET =
  'No extension term allowed here would yet end much later than your access does now (its term counts from when it is granted), so there is no Extend.';

/** How to ask for an extension in chat once a term would end later (the reminder offers no Extend then). */
function extendLater(request: AccessRequest): string {
  return `Closer to the end, you can ask for one with "@acrbot extend ${request.id} --for TERM REASON…"`;
}

/**
 * While an extension of the access waits for approval (`extensionWaiting`, its id): the sentence
 * a reminder says instead of offering Extend, which would be refused as a second extension.
 */
export function extensionWaitingNote(extensionWaiting: string): string {
  return `Extension ${extensionWaiting} waits for approval; if it is approved, the end moves.`;
}

/** How to ask for an extension in chat once new access is resumed (the reminder offers no Extend then). */
function extendOnceResumed(request: AccessRequest): string {
  return `Once it is resumed, you can ask for an extension with "@acrbot extend ${request.id} REASON…"`;
}

/**
 * The reminder before expiry, with duration and reason inputs and an Extend button; break-glass
 * access, which is never extended, is told to ask for a normal grant instead. One sent while new
 * access is `paused`, or to a requester of another tenant, offers no Extend (the extension would
 * be refused, RequestService.assertOpen) and says so. A reminder is a message of its own, never
 * redrawn (no card copy is kept of it), so Extend does not come back to it when the pause ends:
 * the chat command does, and so does each
 * later reminder, which reads the pause again when it is sent. A grant removed or changed outside
 * acrbot (drift) offers no Extend either (refused, drifted-access.ts) and never reads as working:
 * it says what happened and to ask for the access again, in the refusal's words; nor one whose
 * cluster the drift check read gone ({@link clusterGoneNote}). One sent while an
 * extension of the access waits for approval (`extensionWaiting`, its id) names it instead of
 * offering Extend (a second extension would be refused). One to a requester of a tenant no longer
 * served (`notServed`) offers none and says so (every turn of theirs is refused); nor one to a
 * requester of another served tenant than acrbot's own (`otherTenant`: their every request is
 * refused, own-tenant.ts); nor one of access whose cluster or registry is in a subscription no
 * longer served (`unserved`: its extension is refused). Its title names the request and its pair
 * (request-in-title.ts): two reminders of accesses ending a day apart must not read alike in
 * the notification.
 */
export function expiryReminderCard(
  request: AccessRequest,
  inMs: number,
  defaultDurationMs: number | undefined,
  paused?: PauseAsTold,
  extensionWaiting?: string,
  notServed?: boolean,
  unserved?: UnservedResource,
  otherTenant?: boolean,
): AdaptiveCardJson {
  const ends = `Your access ${accessTo(request)} ends at ${formatUtc(request.access!.expiresAt!)} and is then revoked automatically.`;
  const base = {
    sandbox: request.sandbox,
    title: `Access ends in ${describeTimeLeft(inMs)}: ${requestInTitle(request)}`,
    color: 'Warning' as const,
    facts: facts(request),
  };
  // Where Extend is left out, and why: the grouped card's rows decide alike (reminder-extend.ts).
  const why = noExtendReason({
    request,
    credential: false,
    paused: Boolean(paused),
    notServed,
    otherTenant,
    unserved,
    extensionWaiting,
    offeredMs: defaultDurationMs,
  });
  if (why === 'notServed') return lifecycleCard({ ...base, text: `${ends} ${NOT_SERVED_NOTE}` });
  if (why === 'otherTenant') return lifecycleCard({ ...base, text: `${ends} ${OTHER_TENANT_NO_EXTEND_NOTE}` });
  if (why === 'subscriptionUnserved')
    return lifecycleCard({ ...base, text: `${ends} ${unservedSubscriptionNote(unserved!)}` });
  if (why === 'drifted')
    return lifecycleCard({
      ...base,
      // Its command names the pair, perhaps by a resource group spelled like a host: made inert.
      text: `Your grant ${subject(request)} ends at ${formatUtc(request.access!.expiresAt!)}. ${inertText(driftedReminderNote(request)!)}${paused ? ` ${pausedNote(paused)}` : ''}`,
    });
  // Its cluster deleted (the drift check read it gone): the grant gives nothing, and its extension is refused.
  if (why === 'clusterGone')
    return lifecycleCard({
      ...base,
      text: `Your grant ${subject(request)} ends at ${formatUtc(request.access!.expiresAt!)}. ${inertText(clusterGoneNote(request)!)}${paused ? ` ${pausedNote(paused)}` : ''}`,
    });
  if (why === 'breakGlass')
    return lifecycleCard({
      ...base,
      text: `${ends} It was break-glass access, which cannot be extended: to keep pulling, ask for a normal grant and an approver will decide.${paused ? ` ${pausedNote(paused)}` : ''}`,
    });
  if (why === 'paused')
    return lifecycleCard({
      ...base,
      text: `${ends} ${pausedNote(paused!)} ${extendOnceResumed(request)}; it is approved like a new request.`,
    });
  if (why === 'extensionWaiting')
    return lifecycleCard({ ...base, text: `${ends} ${extensionWaitingNote(extensionWaiting!)}` });
  // No term allowed would move the end (extension-terms.ts): no Extend that is bound to be refused.
  if (why === 'noTermYet') return lifecycleCard({ ...base, text: `${ends} ${NO_TERM_YET} ${extendLater(request)}.` });
  return lifecycleCard({
    ...base,
    text: `${ends} To keep it, ask for an extension; it is approved like a new request.`,
    extend: { defaultDuration: shortDuration(defaultDurationMs!) },
    actions: [extendAction(request)],
  });
}

/**
 * The reminder before a pull secret's credential expires while its access term runs on (or is
 * permanent): nothing renews the credential. An extension rotates a new one into the secret; a
 * permanent request has no end to extend, so asking for the secret again replaces it. While new
 * access is `paused` neither can be asked for: it says so and offers no Extend (never redrawn,
 * as {@link expiryReminderCard}); nor while an extension of it waits for approval
 * (`extensionWaiting`), which it names; nor to a requester of a tenant no longer served
 * (`notServed`), or of another served tenant than acrbot's own (`otherTenant`); nor of access in a
 * subscription no longer served (`unserved`).
 */
export function credentialReminderCard(
  request: AccessRequest,
  inMs: number,
  expiresAt: string,
  defaultDurationMs: number | undefined,
  paused?: PauseAsTold,
  extensionWaiting?: string,
  notServed?: boolean,
  unserved?: UnservedResource,
  otherTenant?: boolean,
): AdaptiveCardJson {
  const plan = request.plan as SecretPlan;
  const secretName = inertText(plan.secretName);
  const secret = `pull secret ${plan.namespace}/${secretName} in ${plan.cluster.name}`;
  const expires = `The credential in ${secret} expires at ${formatUtc(expiresAt)}`;
  // Where Extend is left out, and why: the grouped card's rows decide alike (reminder-extend.ts).
  const why = noExtendReason({
    request,
    credential: true,
    paused: Boolean(paused),
    notServed,
    otherTenant,
    unserved,
    extensionWaiting,
    offeredMs: defaultDurationMs,
  });
  return lifecycleCard({
    sandbox: request.sandbox,
    title: `Pull secret credential expires in ${describeTimeLeft(inMs)}: ${requestInTitle(request)}`,
    text:
      why === 'notServed'
        ? `${expires}, and nothing renews it: pulls with the secret fail from then. ${NOT_SERVED_NOTE}`
        : why === 'otherTenant'
          ? `${expires}, and nothing renews it: pulls with the secret fail from then. ${OTHER_TENANT_NO_EXTEND_NOTE}`
          : why === 'subscriptionUnserved'
            ? `${expires}, and nothing renews it: pulls with the secret fail from then. ${unservedSubscriptionNote(unserved!)}`
            : why === 'permanentCredential'
              ? `${expires} and nothing renews it: pulls with the secret fail from then, although the access is permanent. To keep pulling, ask for the secret again under the same name: "${askAgainCommand(request)}"; approved like a new request, it replaces the secret with a new credential.${paused ? ` ${pausedNote(paused)}` : ''}`
              : `${expires}, before your access would end, and nothing renews it: pulls with the secret fail from then. ${
                  why === 'paused'
                    ? `${pausedNote(paused!)} ${extendOnceResumed(request)}; approved like a new request, it puts a new credential into the same secret.`
                    : why === 'extensionWaiting'
                      ? `${extensionWaitingNote(extensionWaiting!)} Approved, it puts a new credential into the same secret.`
                      : `${why === 'noTermYet' ? `${NO_TERM_YET} ${extendLater(request)}` : 'To keep pulling, ask for an extension'}; approved like a new request, it puts a new credential into the same secret.`
                }`,
    color: 'Warning',
    facts: facts(request),
    ...(why === undefined && {
      extend: { defaultDuration: shortDuration(defaultDurationMs!) },
      actions: [extendAction(request)],
    }),
  });
}

/** Who decided, as the requester's news names them (a Teams display name is user text). */
function approverName(request: AccessRequest): string {
  // A quorum's news names everyone whose approval counted, as the request card does.
  return request.decision ? deciders(request) : 'An approver';
}

/**
 * The news of a request that expired without a decision, with the way on. `extend` of an original
 * whose access ended (extend.notActive) or drifted (extend.drifted, in the words of its refusal:
 * ask for a new grant) is refused: a new request is the way back then, never `extend`. Its
 * requester of another tenant than acrbot's own (`otherTenant`), whose requests are all refused
 * when made, is given no command to ask again, but why and the way on instead.
 */
function expiredUnapprovedText(request: AccessRequest, approvalCardRefused?: boolean, otherTenant?: boolean): string {
  const newRequest = otherTenant
    ? OTHER_TENANT_NO_ASK_AGAIN
    : `If you still need the access, make a new request: "${askAgainCommand(request)}".`;
  switch (originalLostAtExpiry(request)) {
    case 'ended':
      return `The access it extends (${request.extendsRequestId}) ended before anyone decided, so nothing was extended. ${newRequest}`;
    case 'drifted':
      return `The access it extends (${request.extendsRequestId}) no longer lets ${request.plan.cluster.name} pull from ${request.plan.registry.name} (its role assignment was removed or changed outside acrbot, or no longer serves), so it cannot be extended and nothing was extended. ${newRequest}`;
    case 'clusterGone':
      // In the note's words (cluster-gone.ts); no command: a request for a cluster that no longer exists would fail.
      return `${inertText(closedByClusterGoneNote(request)!)} Nothing was extended.`;
    default:
      // No approver could have decided it, shown or not (own-tenant.ts): no channel to fix.
      if (otherTenant) return `Nobody decided in time, so nothing was changed. ${OTHER_TENANT_NO_ASK_AGAIN}`;
      // Teams refused the approvers' card until the end: "nobody decided" would read as approvers who let it lapse.
      if (approvalCardRefused)
        return `Nobody decided in time because no approver was shown this request: Teams refused its approval card in the approvals channel until it expired (acrbot is not in that channel, or the channel no longer exists). Nothing was changed. Ask the platform team to add acrbot back to the approvals channel, or to name one it is in, then ask again: "${askAgainCommand(request, { extension: true })}".`;
      return `Nobody decided in time, so nothing was changed. If you still need the access, ask again: "${askAgainCommand(request, { extension: true })}".`;
  }
}

/**
 * The way on after a rejection: the command that asks for the same access again (an extension as
 * `extend`, as the expired news words it), to change what the comment asked for before sending
 * it. None to a requester of another tenant than acrbot's own (`otherTenant`), whose requests are
 * all refused when made: why and the way on instead, as when it expires. Whether the requester
 * has asked again already is not known here (the news is drawn from the request alone).
 */
function rejectedAskAgain(request: AccessRequest, otherTenant: boolean | undefined): string {
  if (otherTenant) return ` ${OTHER_TENANT_NO_ASK_AGAIN}`;
  return ` If you still need the access, change what needs changing and ask again: "${askAgainCommand(request, { extension: true })}".`;
}

/**
 * The way on after someone else revoked the requester's access: the command that asks for it
 * again, approved like a new request (a new grant, never `extend`: the access it would extend has
 * ended). Break-glass access is asked for again as a normal request ({@link askAgainCommand} never
 * writes `--break-glass`): an approver decides. Nothing for an end that came with its term
 * (`expired`, which the reminders told of), for one of the requester's own or acrbot's, for access
 * the cluster still pulls with anyway (the end left an assignment, or the registry lets it in:
 * {@link endLeftWords} says so), nor for a grant whose cluster the drift check read gone (a
 * request for it would fail); to a requester of another tenant than acrbot's own, why and the way
 * on instead. Whether a newer request for the pair waits is not known here.
 */
function endedAskAgain(
  request: AccessRequest,
  news: {
    by: Actor;
    expired: boolean;
    heldOutsideAcrbot?: boolean;
    outsidePulls?: readonly OutsidePull[];
    registryOpen?: RegistryOpen;
    kept?: KeptAssignment;
    requesterOfOtherTenant?: boolean;
  },
): string {
  const by = news.by.objectId.toLowerCase();
  if (news.expired || by === request.requester.objectId.toLowerCase() || by === ACRBOT_ACTOR.objectId) return '';
  if (endLeftWords(request, news) || request.access?.clusterGoneAt) return '';
  if (news.requesterOfOtherTenant) return ` ${OTHER_TENANT_NO_ASK_AGAIN}`;
  const command = askAgainCommand(request);
  return request.policy?.breakGlass
    ? ` If you still need the access, ask for a normal grant and an approver will decide: "${command}".`
    : ` If you still need the access, make a new request; it is approved like any other: "${command}".`;
}

/**
 * What the requester is told about their request, proactively. Each title names the request and
 * its pair (request-in-title.ts): it is what their notification shows.
 */
export function requesterNewsCard(
  request: AccessRequest,
  news:
    | {
        kind: 'approved' | 'rejected' | 'expiredUnapproved';
        /** Expired: Teams refused its approvers' card until then (never posted), so no approver saw it. */
        approvalCardRefused?: boolean;
        /**
         * Expired or rejected: its requester is of another tenant than acrbot's own (own-tenant.ts
         * `isOtherTenant`), whose requests are all refused when made: no command to ask again.
         */
        requesterOfOtherTenant?: boolean;
      }
    | {
        kind: 'ended';
        by: Actor;
        expired: boolean;
        reason?: string;
        heldOutsideAcrbot?: boolean;
        outsidePulls?: readonly OutsidePull[];
        registryOpen?: RegistryOpen;
        kept?: KeptAssignment;
        /** As for `rejected`: no command to ask again ({@link endedAskAgain}). */
        requesterOfOtherTenant?: boolean;
      }
    | { kind: 'revocationFailing'; attempts: number },
): AdaptiveCardJson {
  const base = { sandbox: request.sandbox, facts: facts(request) };
  switch (news.kind) {
    case 'approved':
      return lifecycleCard({
        ...base,
        title: `Approved: ${requestInTitle(request)}`,
        text: `${approverName(request)} approved your request; acrbot is carrying it out now.`,
        color: 'Good',
      });
    case 'rejected':
      return lifecycleCard({
        ...base,
        title: `Rejected: ${requestInTitle(request)}`,
        text: `${approverName(request)} rejected your request${request.decision?.reason ? `: "${inertText(request.decision.reason)}"` : ''}. Nothing was changed.${rejectedAskAgain(request, news.requesterOfOtherTenant)}`,
        color: 'Attention',
      });
    case 'expiredUnapproved':
      return lifecycleCard({
        ...base,
        // Closed by acrbot when the access it extends ended or drifted, maybe days before its deadline.
        title: `${originalLostAtExpiry(request) ? 'Closed' : 'Expired'} without a decision: ${requestInTitle(request)}`,
        text: expiredUnapprovedText(request, news.approvalCardRefused, news.requesterOfOtherTenant),
      });
    case 'ended':
      return lifecycleCard({
        ...base,
        title: `${news.expired ? 'Expired and revoked' : 'Revoked'}: ${requestInTitle(request)}`,
        text: `${
          news.expired
            ? `Your access ${accessTo(request)} reached its end and was revoked at ${formatUtc(request.access?.revokedAt ?? request.updatedAt)}${lateEnd(request)}.`
            : // Told to the requester: when they revoked it themselves, in the second person.
              `${news.by.objectId === request.requester.objectId ? 'You' : inertText(news.by.name)} revoked your access ${accessTo(request)} at ${formatUtc(request.access?.revokedAt ?? request.updatedAt)}${news.reason ? `: "${inertText(news.reason)}"` : ''}.`
        }${endLeftWords(request, news)}${endedAskAgain(request, news)}`,
      });
    case 'revocationFailing':
      return lifecycleCard({
        ...base,
        title: `Revocation of ${requestInTitle(request)} is retrying`,
        text: `acrbot could not yet remove your access (${news.attempts} attempts); it keeps retrying, and the approvers are being told.`,
        color: 'Warning',
      });
  }
}

/** ` (due 17:00 UTC; ended 9 min late)` for an end that came late ({@link lateEndWords}), else nothing. */
function lateEnd(request: AccessRequest): string {
  const words = lateEndWords(request.access);
  return words ? ` (${words})` : '';
}

/** The card colour of each report tone ({@link ApproverReportStyle}). */
const TONE_COLOR = { warning: 'Warning', default: 'Default' } as const;

/**
 * A report for the approvals channel: by default a problem of `request` (a revocation that keeps
 * failing), "Needs attention", red, with its facts. `style` gives another title and tone (an
 * outage's summary of many jobs, an end that left outside access), and leaves the request's facts
 * out when they are not the card's subject.
 */
export function approverReportCard(
  request: AccessRequest | undefined,
  text: string,
  sandbox: boolean,
  style?: ApproverReportStyle,
): AdaptiveCardJson {
  const showFacts = request && (style?.requestFacts ?? true);
  return lifecycleCard({
    sandbox: request?.sandbox ?? sandbox,
    title: style?.title ?? (request ? `Needs attention: ${request.id}` : 'Needs attention'),
    // It carries the last error's message as it came (Azure's, Kubernetes', a library's): shown
    // without the secrets it may quote, as text, never as a live link or a mention.
    text: errorText(text),
    color: style ? TONE_COLOR[style.tone] : 'Attention',
    facts: showFacts ? facts(request) : [],
  });
}
