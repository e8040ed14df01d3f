/**
 * The grouped expiry reminder: one card for several of a requester's accesses ending soon
 * (flows/reminder-siblings.ts), instead of one card each. One row per access (its request id,
 * what it is, its end) with its own Extend button under it carrying what a single reminder's Extend
 * carries (lifecycle-view.ts, extendAction: the same click handler), or, in its place, why there
 * is none: new access paused, an extension waiting for approval, a grant removed outside acrbot
 * (drift) or whose cluster is gone, break-glass access, a permanent secret's credential, no term allowed yet; a requester
 * of a tenant no longer served, or of another than acrbot's own, is told once for all rows. The term and
 * reason inputs are shared by the rows' buttons, drawn once above the rows; the count of those left to
 * the My access tab comes after them. A single access's reminder is
 * lifecycle-view.ts's card, unchanged.
 */
import type { PauseAsTold } from '../domain/access-pause';
import { describeTimeLeft, formatUtc, shortDuration } from '../domain/access-term';
import { clusterGoneNote } from '../domain/cluster-gone';
import { driftedReminderNote } from '../domain/drifted-access';
import type { SecretPlan } from '../domain/plan';
import type { AccessRequest } from '../domain/request';
import type { AdaptiveCardJson } from './card-templates';
import { inertText } from './inert-text';
import { extendAction, extensionWaitingNote, lifecycleCard, pausedNote, subject } from './lifecycle-view';
import type { UnservedResource } from '../domain/served-subscriptions';
import { OTHER_TENANT_NO_EXTEND_NOTE } from '../domain/own-tenant';
import { NOT_SERVED_NOTE, noExtendReason, unservedSubscriptionNote } from './reminder-extend';

/** One access of a grouped reminder. */
export interface GroupedReminderRow {
  request: AccessRequest;
  /** How long until `at`, when the card is sent. */
  inMs: number;
  /** The end it reminds of: the term's, or a pull secret's credential expiry when that comes first. */
  at: string;
  credential: boolean;
  /** An extension of it waiting for approval (its id): no Extend. */
  extensionWaiting?: string;
  /** Its cluster or registry in a subscription no longer served: no Extend (it would be refused). */
  unserved?: UnservedResource;
  /** The term its Extend would be pre-filled with; undefined: no term allowed would do, no Extend. */
  offeredMs?: number;
}

/** What the row is: a grant's pair and role, or the secret (its credential when that ends first). */
function what(row: GroupedReminderRow): string {
  if (!row.credential) return subject(row.request);
  const plan = row.request.plan as SecretPlan;
  return `Credential in pull secret ${plan.namespace}/${inertText(plan.secretName)} in ${plan.cluster.name} for ${plan.registry.name}`;
}

/**
 * Why the row offers no Extend, in the row's words, or undefined when it does: the single
 * reminder's decision (reminder-extend.ts), so a row leaves Extend out where its own reminder would.
 */
function noExtend(
  row: GroupedReminderRow,
  paused: PauseAsTold | undefined,
  tenant: TenantStanding,
): string | undefined {
  const { request } = row;
  switch (noExtendReason({ ...row, paused: Boolean(paused), ...tenant })) {
    case 'notServed':
    case 'otherTenant':
      // The card's note says why once (NOT_SERVED_NOTE, OTHER_TENANT_NO_EXTEND_NOTE); each row repeating it reads as noise.
      return 'No Extend';
    case 'subscriptionUnserved':
      return `No Extend: ${unservedSubscriptionNote(row.unserved!).replace(/^Its/, 'its')}`;
    case 'drifted':
      // Its command names the pair, perhaps by a resource group spelled like a host: made inert.
      return inertText(driftedReminderNote(request)!);
    case 'clusterGone':
      // The single reminder's sentence (cluster-gone.ts): the cluster's name made inert like drift's.
      return inertText(clusterGoneNote(request)!);
    case 'breakGlass':
      return 'Break-glass access cannot be extended: to keep pulling, ask for a normal grant';
    case 'permanentCredential':
      return 'Nothing renews it, although the access is permanent: to keep pulling, ask for the secret again under the same name';
    case 'paused':
      return 'No Extend while new access is paused';
    case 'extensionWaiting':
      return extensionWaitingNote(row.extensionWaiting!);
    case 'noTermYet':
      return `No extension term allowed here would yet end much later; closer to the end, "@acrbot extend ${request.id} --for TERM REASON…"`;
    case undefined:
      return undefined;
  }
}

/** The requester's tenant as the card's rows read it: no longer served, or served but not acrbot's own. */
interface TenantStanding {
  notServed?: boolean;
  otherTenant?: boolean;
}

/**
 * The grouped reminder of `rows` (soonest end first), `more` counted at the end for the My access tab; `paused`: new access is paused, so
 * no row offers Extend and the card says who paused it and since when; `notServed`: the requester's
 * tenant is no longer served, so no row offers Extend and the card says so; `otherTenant`: the
 * requester is of another served tenant than acrbot's own (own-tenant.ts), likewise.
 */
export function groupedReminderCard(
  rows: readonly GroupedReminderRow[],
  more: number,
  paused?: PauseAsTold,
  notServed?: boolean,
  otherTenant?: boolean,
): AdaptiveCardJson {
  const tenant = { notServed, otherTenant };
  // Either way no way on here: no pause note, no extension to ask for, no tab to point to.
  const noWayOn = Boolean(notServed || otherTenant);
  const extendable = rows.filter((row) => noExtend(row, paused, tenant) === undefined);
  const facts = rows.map((row) => {
    const why = noExtend(row, paused, tenant);
    const end = `${row.credential ? 'expires' : 'ends'} ${formatUtc(row.at)}, in ${describeTimeLeft(row.inMs)}`;
    return {
      label: row.request.id,
      value: `${what(row)}: ${end}. ${why ? `${why.replace(/\.$/, '')}.` : `Extend ${row.request.id} below.`}`,
    };
  });
  // Not served: the My access tab refuses the tenant, so it is not pointed to; nor for another
  // tenant than acrbot's own (its Extend is refused there, and the tab's sign-in is this tenant's).
  // Drawn after the rows (rowsWithTheirExtend): "N more" goes on from the list.
  const moreNote = more
    ? {
        text: noWayOn
          ? `${more} more of your accesses end soon.`
          : `${more} more of your accesses end soon: see the My access tab.`,
      }
    : undefined;
  const notes = [
    ...(notServed ? [{ text: NOT_SERVED_NOTE }] : otherTenant ? [{ text: OTHER_TENANT_NO_EXTEND_NOTE }] : []),
    // Resuming would not help (the single reminder leaves the pause note out too).
    ...(paused && !noWayOn ? [{ text: pausedNote(paused) }] : []),
    ...(extendable.length
      ? [
          {
            text: `Extend one at a time: this card then becomes that extension's request. The others can be extended in the My access tab, or with "@acrbot extend R-… REASON…".`,
          },
        ]
      : []),
    ...(moreNote ? [moreNote] : []),
  ];
  const count = rows.length + more;
  const card = lifecycleCard({
    sandbox: rows[0]!.request.sandbox,
    title: `${count} of your accesses end soon`,
    text: `Each is revoked automatically at its end (a pull secret stops working when its credential expires).${
      paused || noWayOn ? '' : ' To keep one, ask for an extension; it is approved like a new request.'
    }`,
    color: 'Warning',
    notes,
    facts,
    ...(extendable.length && {
      // The largest term offered: each row's own ends well after its end, so the largest does
      // for every row (a row's smaller one could be refused by another row as not ending later).
      extend: { defaultDuration: shortDuration(Math.max(...extendable.map((row) => row.offeredMs!))) },
      // The id stays in the title: Teams reads a button by its title, so six plain "Extend"s would
      // sound alike (a tooltip is read only where the title is missing, and not by every client).
      actions: extendable.map((row) => ({ ...extendAction(row.request), title: `Extend ${row.request.id}` })),
    }),
  });
  return rowsWithTheirExtend(card, moreNote?.text);
}

/** An element of a card's body, as {@link rowsWithTheirExtend} reads it. */
type Element = Record<string, unknown>;

/**
 * `card` with each row in a container of its own, its Extend (if any) right under it: the template
 * draws the rows as one FactSet and their buttons as the card's actions, which at a phone's width
 * run off the card in one row, each far from the row it extends. The button is the template's, as
 * drawn: its data and the click handler are unchanged.
 *
 * The rows stand where the template drew the FactSet, so the card's notes (why no row offers
 * Extend, "Extend one at a time…") still come before them, and the note whose text is `after`
 * ("N more of your accesses…") follows them, as it goes on from the list. The shared term and
 * reason move up to just before the rows (the template draws them after the FactSet): every
 * row's Extend sends the same two inputs, so they are drawn once, and before every button that
 * sends them; below the rows a phone's reader would meet the buttons first, and a missing
 * reason's error would show under the last row, screens away from the Extend pressed. Right
 * after "Extend one at a time…", they read as that note's form.
 */
function rowsWithTheirExtend(card: AdaptiveCardJson, after: string | undefined): AdaptiveCardJson {
  const { actions = [], body: drawn, ...rest } = card as { actions?: Element[]; body: Element[] };
  const factSet = drawn.find((element) => element.type === 'FactSet')!;
  const rows = (factSet.facts as Array<{ title: string; value: string }>).map((fact) => {
    const extend = actions.find((action) => (action.data as { requestId?: string }).requestId === fact.title);
    return {
      type: 'Container',
      separator: true,
      items: [{ type: 'FactSet', facts: [fact] }, ...(extend ? [{ type: 'ActionSet', actions: [extend] }] : [])],
    };
  });
  const inputs = drawn.filter((element) => element.type === 'Input.Text');
  const trailing = drawn.filter(
    (element) => after !== undefined && element.type === 'TextBlock' && element.text === after,
  );
  const moved = new Set([...inputs, ...trailing]);
  const body = drawn.flatMap((element) =>
    element === factSet ? [...inputs, ...rows, ...trailing] : moved.has(element) ? [] : [element],
  );
  return { ...rest, body };
}
