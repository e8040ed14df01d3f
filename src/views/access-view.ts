/**
 * Cards for `access` and `check`, from the inventory's data (src/domain/access-inventory.ts):
 * the same data the tab renders. People's names come from Teams and are neutralised; nothing
 * here is ever a secret (the inventory holds none).
 */
import {
  isLiveRef,
  overdueEnd,
  overdueRemoval,
  pullsNow,
  requestsBehind,
  type AccessCell,
  type AccessState,
  type AcrbotRequestRef,
  type ClusterAccessReport,
  type EndedGrantPath,
  type InventoryRegistry,
  type PullPath,
  type RegistryAccessReport,
  type RoleAssignmentPath,
  type UserAccessReport,
} from '../domain/access-inventory';
import { clusterGoneWords } from '../domain/cluster-gone-words';
import { driftWords } from '../domain/drift-reason';
import { endedAt, newestEndFirst, splitEnded } from '../domain/ended-access';
import { NOT_LISTED_YET_LABEL, notListedYetPath } from '../domain/listing-lag';
import { OTHER_TENANT_ASK_INSTEAD } from '../domain/other-tenant-words';
import { BEING_REVOKED_LABEL, CANNOT_BE_CHECKED_LABEL, intactDrift, liveDriftKindOfRef } from '../domain/live-drift';
import { liveBadge, liveBadgeKind } from '../domain/live-badge';
import {
  NOT_CHECKED_WORDS,
  notListedYetText,
  originText,
  requestText,
  shortTime,
  type PullDiagnosis,
} from '../domain/pull-diagnosis';
import { registryReach } from '../domain/registry-reach';
import type { RoleAssignmentMode } from '../domain/roles';
import { typedCluster, type TypedAs } from '../domain/typed-names';
import type { AdaptiveCardJson } from './card-templates';
import { renderCard } from './card-templates';
import { CLUSTER_GONE_BADGE } from './cluster-gone-badge';
import { DRIFT_BADGE } from './drift-badge';
import { groupName, warnedGroupName } from './group-name';
import { inertText } from './inert-text';
import { CARD_MAX_BYTES, jsonBytes } from './message-view';
import { errorText } from './request-view';
import { NO_OPEN_SECTION, openSection, type OpenSection } from './my-requests-view';
import type { RequesterRequests } from '../domain/requester-requests';
import { asSentence } from '../domain/text';
import { tint } from './tint';

/** Most rows in one card (Teams' message size limit); the rest are counted in a note. */
export const ACCESS_CARD_MAX_ROWS = 20;

// Labels of the inventory's access states; a request's states are another set with their own table
// (STATE_LABEL in request-view.ts), alike in shape only.
const STATE: Record<
  AccessState | 'cannot' | 'noLongerPulls' | 'notListedYet' | 'unreachable' | 'anonymous' | 'clusterGone' | 'revoking',
  { label: string; color: string }
> = {
  active: { label: 'Active', color: 'Good' },
  expiring: { label: 'Expiring soon', color: 'Warning' },
  expired: { label: 'Expired', color: 'Default' },
  revoked: { label: 'Revoked', color: 'Default' },
  // A drift's two badges are drift-badge.ts's: the request card and `status`'s list badge a live
  // drift-marked grant with them too.
  drifted: DRIFT_BADGE.removed,
  unverified: { label: CANNOT_BE_CHECKED_LABEL, color: 'Warning' },
  cannot: { label: 'Not honoured', color: 'Attention' },
  noLongerPulls: DRIFT_BADGE.noLongerPulls,
  notListedYet: { label: NOT_LISTED_YET_LABEL, color: 'Warning' },
  unreachable: { label: 'Registry unreachable', color: 'Attention' },
  anonymous: { label: 'Anonymous pull', color: 'Good' },
  // A grant whose cluster was deleted (cluster-gone.ts): it gives nothing, whatever its end says.
  // cluster-gone-badge.ts's, as the request card and `status`'s list badge it.
  clusterGone: CLUSTER_GONE_BADGE,
  // A revocation under way says how the access ends, over a drift or a cluster gone (live-drift.ts),
  // as the tab's "Being revoked" does; it still pulls until the revocation finishes.
  revoking: { label: BEING_REVOKED_LABEL, color: 'Warning' },
};

const SCOPE: Record<string, string> = {
  registry: 'on the registry',
  resourceGroup: 'on resource group',
  subscription: 'on subscription',
  managementGroup: 'on a management group',
};

interface Row {
  heading: string;
  subheading: string;
  stateLabel: string;
  /** The badge's tint (tint.ts): the state's colour as a background, the label in the body's colour. */
  stateStyle: string;
  lines: string[];
}

/** Why a role is not honoured, from the registry's mode (unknown: said without naming one). */
function notHonouredNote(mode: RoleAssignmentMode | undefined): string {
  if (mode === 'AbacRepositoryPermissions') return 'NOT honoured: the registry uses ABAC repository permissions';
  if (mode === 'LegacyRegistryPermissions')
    return 'NOT honoured: the registry uses RBAC registry permissions, which ignore this role';
  return "NOT honoured: the registry's role assignment mode ignores this role";
}

/**
 * Who removes an acrbot assignment whose access ended (overdueRemoval): an end job, the watch
 * over an assignment its revocation left at a registry's id (said with its last day), or nobody,
 * said with the way to remove it (the assignment's own id, from Azure: neutralised with the line).
 */
function removal(path: RoleAssignmentPath): string {
  const by = overdueRemoval(path);
  if (by?.by === 'watch') return `acrbot is removing it (looked for daily until ${shortTime(by.until)})`;
  if (by?.by === 'nobody')
    return `held by an ended acrbot grant, and nothing acrbot runs removes it: az role assignment delete --ids ${path.assignmentId}`;
  return 'acrbot is removing it';
}

/** One line per way of pulling, in words; `mode` is the registry's, to say why a role is not honoured. */
export function pathLine(
  path: PullPath,
  registryGroup: string,
  subscriptionId: string,
  mode?: RoleAssignmentMode,
): string {
  switch (path.kind) {
    case 'roleAssignment': {
      const where =
        path.scopeLevel === 'resourceGroup'
          ? `${SCOPE.resourceGroup} ${warnedGroupName(registryGroup)}`
          : path.scopeLevel === 'subscription'
            ? `${SCOPE.subscription} ${subscriptionId}`
            : SCOPE[path.scopeLevel];
      // Its acrbot access ran out and acrbot has not removed it yet: it has an end, in the past.
      const ended = overdueEnd(path);
      const removing =
        ended && !requestsBehind(path).some((r) => r.revokingSince)
          ? `ended ${shortTime(ended)}; ${removal(path)}`
          : '';
      const notes = [
        removing,
        path.viaGroupId ? `through group ${path.viaGroupId}` : '',
        path.conditional ? 'limited by a condition' : '',
        path.honoured ? '' : notHonouredNote(mode),
      ].filter(Boolean);
      // Made outside acrbot: when and by whom, as Azure's listing says (its createdBy is user text).
      return inertText(
        `${path.roleName} ${where} — ${originText(path)}${notes.length ? ` (${notes.join('; ')})` : ''}`,
      );
    }
    case 'pullSecret':
      return inertText(
        `pull secret ${path.secretName} in namespace ${path.namespace} (${path.credentialKind === 'token' ? 'ACR token' : 'service principal'}) — ${originText(path)}${credentialNote(path.request)}${stateSuffix(path.state, path.request)}`,
      );
    case 'endedGrant': {
      // Granted moments ago: Azure's listing may not show it yet, so not "removed" (listing-lag.ts).
      const ended = notListedYetPath(path)
        ? ` — ${notListedYetText(path.request.grantedAt)}`
        : stateSuffix(path.state, path.request, path.unverifiedBecause);
      return inertText(`${path.roleName} on the registry — ${requestText(path.request)}${ended}`);
    }
  }
}

/**
 * A live pull secret whose credential expires before its access would end: the date shown is the
 * credential's, and the reader must know nothing renews it.
 */
function credentialNote(r: AcrbotRequestRef): string {
  return r.credentialExpiresAt && isLiveRef(r)
    ? '; its credential expires then: pulls with it stop unless it is renewed (ask for the secret again)'
    : '';
}

/**
 * How access ended, after its request's text ("— revoked by Alex on …"); nothing while it lasts.
 * `unverified` says why it could not be checked (`why`).
 */
function stateSuffix(state: AccessState, r: AcrbotRequestRef | undefined, why?: string): string {
  switch (state) {
    case 'unverified':
      return ` — not checked: ${why ?? "the cluster's pull identity is unknown"}`;
    case 'drifted':
      return ` — ${driftWords(r?.driftReason)}${r?.driftDetectedAt ? ` on ${shortTime(r.driftDetectedAt)}` : ''}`;
    case 'revoked':
      return ` — revoked${r?.revokedBy ? ` by ${r.revokedBy}` : ''}${r?.revokedAt ? ` on ${shortTime(r.revokedAt)}` : ''}`;
    case 'expired':
      if (r?.credentialExpiresAt) return ` — its credential expired on ${shortTime(r.credentialExpiresAt)}`;
      return r?.expiresAt ? ` — expired on ${shortTime(r.expiresAt)}` : ' — expired';
    default:
      return '';
  }
}

/**
 * After a live grant's request text, when the drift check read its cluster gone (`clusterGoneAt`):
 * that it gives nothing, in its card's Access words (cluster-gone-words.ts); nothing otherwise.
 */
function clusterGoneSuffix(cluster: string, r: AcrbotRequestRef): string {
  return r.clusterGoneAt ? ` — ${clusterGoneWords(cluster, r.clusterGoneAt)}` : '';
}

/** Most ways of pulling listed per row; the check command explains one pair in full. */
const MAX_LINES_PER_ROW = 6;

function limitLines(lines: string[]): string[] {
  return lines.length <= MAX_LINES_PER_ROW
    ? lines
    : [...lines.slice(0, MAX_LINES_PER_ROW - 1), `${lines.length - MAX_LINES_PER_ROW + 1} more ways`];
}

function cellState(cell: AccessCell): { label: string; color: string } {
  // As `check` says: nothing reaches the registry, so none of its ways counts.
  if (cell.unreachable) return STATE.unreachable;
  // It pulls anonymously, by none of its own ways (those ended, or are not honoured).
  if (cell.anonymousPull && !cell.paths.some(pullsNow)) return STATE.anonymous;
  const onlyIgnored = !cell.canPull && cell.paths.every((p) => p.kind === 'roleAssignment' && !p.honoured);
  if (onlyIgnored) return STATE.cannot;
  // Every way it pulls by now going with a revocation under way: that says how it ends
  // (live-badge.ts's order), as the tab's row of each does; a way that stays (another grant's, one
  // made outside acrbot) keeps the cell's own state.
  const drifted = cell.paths.filter((p): p is EndedGrantPath => p.kind === 'endedGrant' && p.state === 'drifted');
  const kind = liveBadgeKind({
    beingRevoked: liveBeingRevoked(cell),
    drift: cell.state === 'drifted' && drifted.length > 0,
  });
  if (kind === 'beingRevoked') return STATE.revoking;
  if (kind !== 'drift') return STATE[cell.state];
  // Every drifted grant being revoked: that says how it ends (live-badge.ts), as the tab's row does.
  if (drifted.every((p) => p.request.revokingSince)) return STATE.revoking;
  // Drifted with every drifted grant's assignment still there: "removed" would send people looking for it.
  if (drifted.every((p) => intactDrift(p.request.driftReason))) return STATE.noLongerPulls;
  // Every one granted moments ago, and only missing from a listing that may lag (as `check` says),
  // whether the cells were built with the drift seen (`access CLUSTER`) or without (`access REGISTRY`).
  if (drifted.every(notListedYetPath)) return STATE.notListedYet;
  return STATE[cell.state];
}

/**
 * Whether `cell` pulls by ways of its own and every acrbot request behind each of them is being
 * revoked (`revokingSince`): the tab badges each of their rows "Being revoked" (tab-rows.ts).
 */
function liveBeingRevoked(cell: AccessCell): boolean {
  const pulling = cell.paths.filter(pullsNow);
  return (
    pulling.length > 0 &&
    pulling.every((p) => {
      const refs = p.kind === 'roleAssignment' ? requestsBehind(p) : [p.request];
      return refs.length > 0 && refs.every((r) => r.revokingSince);
    })
  );
}

/**
 * One cell as a row. `networkSaidOnce`: the card names one registry and says its network sentence
 * (unreachable, anonymous pull) once above the rows, so each row keeps only its state label;
 * repeated on every cluster it buried the rows' own lines.
 */
function cellRow(cell: AccessCell, heading: string, subheading: string, networkSaidOnce = false): Row {
  const state = cellState(cell);
  const network = !networkSaidOnce;
  // The registry's admin user: its password pulls whatever the lines above say (as `check` says).
  // From the cell: an ended cell has it left out with the network's facts (ended-access.ts).
  const admin = cell.adminUser;
  return {
    heading,
    subheading,
    stateLabel: state.label,
    stateStyle: tint(state.color),
    lines: [
      // First, so it is not cut: why none of the lines below gives pull.
      ...(network && cell.unreachable ? [inertText(cell.unreachable)] : []),
      // The same place: what its pulling hangs on, which acrbot cannot see (as `check` says).
      ...(network && cell.canPull && cell.networkCondition ? [inertText(conditionText(cell.networkCondition))] : []),
      ...limitLines(
        cell.paths.map((p) =>
          pathLine(p, cell.registry.resourceGroup, cell.registry.subscriptionId, cell.registry.roleAssignmentMode),
        ),
      ),
      ...(network && cell.anonymousPull ? [inertText(cell.anonymousPull)] : []),
      ...(network && admin ? [inertText(admin)] : []),
    ],
  };
}

/** The network's condition on pulling, as the access cards say it (a row, or once under the title). */
function conditionText(condition: string): string {
  return `Pulls only if the cluster's network gets through: ${condition}`;
}

/** A registry the cluster pulls from anonymously only (it has no way of its own there). */
function anonymousRow(registry: InventoryRegistry): Row {
  return {
    heading: `${registry.name} → ${registry.loginServer}`,
    subheading: `resource group ${groupName(registry.resourceGroup)}`,
    stateLabel: STATE.anonymous.label,
    stateStyle: tint(STATE.anonymous.color),
    lines: [inertText(registryReach(registry, registry.network).anonymousText ?? '')],
  };
}

/** Live first, then by name. */
function ordered(cells: AccessCell[], name: (c: AccessCell) => string): AccessCell[] {
  return [...cells].sort((a, b) => Number(b.canPull) - Number(a.canPull) || name(a).localeCompare(name(b)));
}

/** The heading over access that ended, on `access CLUSTER` and `access REGISTRY`. */
export const ENDED_HEADING = 'Access that ended: no longer a way to pull';

/** What that heading covers, and where the rest of the history is. */
const ENDED_SUBHEADING =
  "acrbot's grants and pull secrets that were revoked, expired or removed outside acrbot. Each request's history is in the Access matrix tab.";

/**
 * Ways of pulling that ended listed per row, newest first: ended requests are never purged, and
 * six long lines on each of 20 rows would take the card past Teams' size; the tab has the rest.
 */
const ENDED_LINES_PER_ROW = 2;

/**
 * A cell of access that ended as a row: its {@link ENDED_LINES_PER_ROW} newest ends, the rest
 * counted, and the state of the newest (the line beside the badge), not the most telling of all.
 */
function endedRow(cell: AccessCell, row: (c: AccessCell) => Row): Row {
  const paths = newestEndFirst(cell.paths);
  const state = cellState({ ...cell, state: paths[0]!.state, paths: paths.slice(0, 1) });
  const shown = row({ ...cell, paths: paths.slice(0, ENDED_LINES_PER_ROW) });
  const earlier = paths.length - ENDED_LINES_PER_ROW;
  return {
    ...shown,
    stateLabel: state.label,
    stateStyle: tint(state.color),
    lines: [
      ...shown.lines,
      ...(earlier > 0
        ? [`${earlier} more that ended earlier; each request's history is in the Access matrix tab`]
        : []),
    ],
  };
}

/**
 * The newest end among an ended cell's ways of pulling (it has one at least), for ordering ended
 * rows ('' when none is dated): the end of the path {@link endedRow} puts first.
 */
function newestEnd(cell: AccessCell): string {
  return endedAt(newestEndFirst(cell.paths)[0]!) ?? '';
}

/**
 * The cells of an `access CLUSTER` or `access REGISTRY` card as rows: what is there now, live
 * first, then by name; and, apart, what ended (ended-access.ts), the most recent end first, so
 * the row cut from a full card is one that ended long ago. A cell with both is a row in each: its
 * ways of pulling now in one, those that ended in the other.
 */
function splitRows(
  cells: AccessCell[],
  name: (c: AccessCell) => string,
  row: (c: AccessCell) => Row,
): { now: AccessCell[]; rows: Row[]; endedRows: Row[] } {
  const split = cells.map(splitEnded);
  const now = split.flatMap((s) => (s.current ? [s.current] : []));
  const ended = split
    .flatMap((s) => (s.ended ? [{ cell: s.ended, end: newestEnd(s.ended) }] : []))
    .sort((a, b) => b.end.localeCompare(a.end) || name(a.cell).localeCompare(name(b.cell)))
    .map((e) => endedRow(e.cell, row));
  return { now, rows: ordered(now, name).map(row), endedRows: ended };
}

function card(input: {
  sandbox: boolean;
  title: string;
  subtitle: string;
  rows: Row[];
  /**
   * Access that ended, under {@link ENDED_HEADING}; after `rows`, within the same row limit and
   * within what `rows` leave of {@link CARD_MAX_BYTES}: history never pushes out access there now.
   * Rows of access there now give way too, from the last, only when they alone pass that size.
   */
  endedRows?: Row[];
  /** `access` alone: the requester's open requests, apart from the access (already cut, {@link openSection}). */
  open?: OpenSection;
  emptyText: string;
  notes: string[];
}): AdaptiveCardJson {
  const ended = input.endedRows ?? [];
  const render = (shown: Row[], endedShown: Row[]): AdaptiveCardJson => {
    const notes = [...input.notes];
    // Counted apart: how much access there is now must not read larger with what ended.
    if (input.rows.length > shown.length)
      notes.push(`${input.rows.length - shown.length} more not shown; the Access matrix tab lists them all.`);
    if (ended.length > endedShown.length)
      notes.push(`${ended.length - endedShown.length} more that ended not shown; the Access matrix tab lists them.`);
    return renderAccess(input, shown, endedShown, notes);
  };
  // While the card is over Teams' size, the oldest ended rows go first (its rows newest end
  // first), then live rows from the last: a card that names most of the access with a count of
  // the rest beats "Too large to show", which names none. One live row always stays.
  let live = Math.min(input.rows.length, ACCESS_CARD_MAX_ROWS);
  let count = Math.min(ended.length, ACCESS_CARD_MAX_ROWS - live);
  let drawn = render(input.rows.slice(0, live), ended.slice(0, count));
  while (jsonBytes(drawn) > CARD_MAX_BYTES && (count > 0 || live > 1)) {
    if (count > 0) count--;
    else live--;
    drawn = render(input.rows.slice(0, live), ended.slice(0, count));
  }
  return drawn;
}

/** The access card itself, from rows already cut to fit (see {@link card}). */
function renderAccess(
  input: { sandbox: boolean; title: string; subtitle: string; emptyText: string; open?: OpenSection },
  shown: Row[],
  endedShown: Row[],
  notes: string[],
): AdaptiveCardJson {
  return renderCard('access', {
    sandbox: input.sandbox,
    title: input.title,
    subtitle: input.subtitle,
    rows: shown,
    hasRows: shown.length > 0,
    endedHeading: ENDED_HEADING,
    endedSubheading: ENDED_SUBHEADING,
    endedRows: endedShown,
    hasEndedRows: endedShown.length > 0,
    ...(input.open ?? NO_OPEN_SECTION),
    emptyText: input.emptyText,
    notes,
    hasNotes: notes.length > 0,
  });
}

/**
 * What `access CLUSTER` and `access REGISTRY` do not read, said when they find nothing: `check`'s
 * words ({@link NOT_CHECKED_WORDS}), as a sentence, so the two never disagree on what acrbot looked at.
 */
export const NOT_READ_NOTE = `${NOT_CHECKED_WORDS[0]!.toUpperCase()}${NOT_CHECKED_WORDS.slice(1)}.`;

/**
 * `access CLUSTER`. `typedAs`: how the asker named the cluster (it resolved to it), which the
 * commands the card suggests repeat; without it they name the cluster by id (typed-names.ts).
 * `askerOfOtherTenant`: the asker is of another tenant than acrbot's own (own-tenant.ts
 * `isOtherTenant`), whose every request is refused when made: the way on, not a command.
 */
export function clusterAccessCard(
  report: ClusterAccessReport & { typedAs?: TypedAs },
  sandbox: boolean,
  askerOfOtherTenant = false,
): AdaptiveCardJson {
  const { cluster, identity } = report;
  // As a command names it; an id or group/name holds the group, inert as groupName() makes it.
  const named = inertText(typedCluster(cluster, report.typedAs?.cluster));
  const who = identity
    ? `Pulls with its ${identity.description} ${identity.objectId}.`
    : // Its command may name the cluster by id or group/name: inert, like every group shown.
      `No node identity: ${inertText(asSentence(report.identityProblem ?? 'acrbot could not tell which identity it pulls with'))}`;
  const { now, rows, endedRows } = splitRows(
    report.cells,
    (c) => c.registry.name,
    (c) =>
      cellRow(
        c,
        `${c.registry.name} → ${c.registry.loginServer}`,
        `resource group ${groupName(c.registry.resourceGroup)}`,
      ),
  );
  return card({
    sandbox,
    title: `What ${cluster.name} can pull, and why`,
    subtitle: `${who} Resource group ${groupName(cluster.resourceGroup)}, subscription ${cluster.subscriptionId}; as of ${shortTime(report.generatedAt)}.`,
    rows: [
      ...rows,
      // Anonymous pull: it pulls from these too, by no way of its own (one whose only ways ended too).
      ...(report.anonymousRegistries ?? [])
        .filter((r) => !now.some((c) => c.registry.id.toLowerCase() === r.id.toLowerCase()))
        .map(anonymousRow),
    ],
    endedRows,
    // Without a node identity a role cannot help it: a pull secret can. What acrbot gave it and
    // ended is listed below, so it is not "never gave it access".
    emptyText: `${cluster.name} cannot pull from any registry in the subscriptions acrbot manages, and ${
      endedRows.length ? 'the access acrbot gave it has ended' : 'acrbot never gave it access'
    }. ${NOT_READ_NOTE} ${
      askerOfOtherTenant
        ? OTHER_TENANT_ASK_INSTEAD
        : identity
          ? `Use "@acrbot grant ${named} REGISTRY REASON…".`
          : `Use a pull secret: "@acrbot secret ${named} REGISTRY --namespace NAMESPACE REASON…".`
    }`,
    notes: [
      ...incompleteNote(report.incomplete),
      'Roles carry pull when their permissions include registries/pull/read (or repository content read on ABAC registries); Reader does not.',
    ],
  });
}

/** `access REGISTRY`. */
export function registryAccessCard(report: RegistryAccessReport, sandbox: boolean): AdaptiveCardJson {
  const { registry } = report;
  // As `check` reads its network: unreachable, nobody pulls; anonymous, every cluster reaching it
  // does. It is the registry's, the same for every cluster: said once, under the title, and the
  // rows keep only their state label.
  const reach = registryReach(registry, registry.network);
  const network =
    [
      ...(reach.unreachable
        ? [reach.finding!.text]
        : [
            reach.anonymous ? reach.anonymousText : undefined,
            reach.condition ? conditionText(reach.condition) : undefined,
          ]),
      reach.adminUserText,
    ]
      .filter(Boolean)
      .join(' ') || undefined;
  const { rows, endedRows } = splitRows(
    report.cells,
    (c) => c.cluster.name,
    (c) =>
      cellRow(
        c,
        c.cluster.name,
        `resource group ${groupName(c.cluster.resourceGroup)}, subscription ${c.cluster.subscriptionId}`,
        true,
      ),
  );
  return card({
    sandbox,
    title: `Who can pull from ${registry.name}`,
    subtitle: `${registry.loginServer}, resource group ${groupName(registry.resourceGroup)}, ${registry.roleAssignmentMode === 'AbacRepositoryPermissions' ? 'ABAC repository permissions' : 'RBAC registry permissions'}; clusters in the subscriptions acrbot manages, as of ${shortTime(report.generatedAt)}.${network ? ` ${inertText(network)}` : ''}`,
    rows,
    endedRows,
    emptyText: reach.anonymous
      ? `No cluster in the subscriptions acrbot manages pulls from ${registry.name} through a role or an acrbot pull secret. ${NOT_READ_NOTE}`
      : `No cluster in the subscriptions acrbot manages can pull from ${registry.name}. ${NOT_READ_NOTE}`,
    notes: [...incompleteNote(report.incomplete), ...unresolvedNotes(report.unresolvedClusters)],
  });
}

/** Most "Not checked" notes one card lists; the rest are counted (the tab names them all). */
const ACCESS_CARD_MAX_UNRESOLVED = 5;

/** One note per cluster whose identity could not be read, up to {@link ACCESS_CARD_MAX_UNRESOLVED}. */
function unresolvedNotes(unresolved: RegistryAccessReport['unresolvedClusters']): string[] {
  const more = unresolved.length - ACCESS_CARD_MAX_UNRESOLVED;
  return [
    ...unresolved.slice(0, ACCESS_CARD_MAX_UNRESOLVED).map((u) => errorText(`Not checked: ${u.problem}`)),
    ...(more > 0
      ? [`…and ${more} more cluster${more === 1 ? '' : 's'} not checked; the Access matrix tab lists them.`]
      : []),
  ];
}

/**
 * `access` alone: the user's own grants and secrets, and apart from them their open requests
 * (`open`, of their organisation: waiting for approval, approved, being applied), so whoever
 * asked sees it waits. `askerOfOtherTenant`: the asker is of another tenant than acrbot's own
 * (own-tenant.ts `isOtherTenant`), whose every request is refused when made: the way on, not a command.
 */
export function userAccessCard(
  report: UserAccessReport,
  sandbox: boolean,
  open?: RequesterRequests,
  askerOfOtherTenant = false,
): AdaptiveCardJson {
  const waiting = openSection(open);
  const rows: Row[] = report.entries.map((e) => {
    // In live-badge.ts's order, as the request card and the tab: a revocation under way says how it
    // ends; a drift whose assignment is intact "no longer gives pull" ("removed" would send people
    // looking for it, live-drift.ts); its cluster deleted, "Active" would say it pulls (the line
    // says why not); past its end, "Expired" (its inventory state) says it gives nothing.
    const drift = liveDriftKindOfRef(e.request);
    const state = liveBadge(
      {
        beingRevoked: e.request.revokingSince ? STATE.revoking : undefined,
        drift: drift && DRIFT_BADGE[drift],
        expired: e.request.state === 'expired' ? STATE.expired : undefined,
        clusterGone: e.request.clusterGoneAt ? STATE.clusterGone : undefined,
      },
      STATE[e.request.state],
    );
    const what =
      e.kind === 'grant'
        ? `${e.roleName ?? 'pull role'} for ${e.cluster.name} on ${e.registry.name}`
        : `pull secret ${e.namespace}/${e.secretName} in ${e.cluster.name} for ${e.registry.name}`;
    return {
      heading: inertText(what),
      subheading: '',
      stateLabel: state.label,
      stateStyle: tint(state.color),
      lines: [
        inertText(
          `${requestText(e.request)}${credentialNote(e.request)}${stateSuffix(e.request.state, e.request)}${clusterGoneSuffix(e.cluster.name, e.request)}`,
        ),
      ],
    };
  });
  return card({
    sandbox,
    title: 'Your access',
    subtitle: `Grants and pull secrets acrbot made for requests by ${inertText(report.user.name)}, newest first.`,
    rows,
    open: waiting,
    emptyText: waiting.hasOpenRows
      ? 'acrbot has not granted anything for your requests yet; your open requests are below.'
      : askerOfOtherTenant
        ? `acrbot has not granted anything for your requests yet. ${OTHER_TENANT_ASK_INSTEAD}`
        : 'acrbot has not granted anything for your requests yet. Ask with "@acrbot grant CLUSTER REGISTRY REASON…".',
    notes: incompleteNote(report.incomplete),
  });
}

/** The note saying acrbot's records were read only in part (first, so it is not missed). */
function incompleteNote(incomplete: string | undefined): string[] {
  return incomplete ? [inertText(incomplete)] : [];
}

/**
 * A finding's marker, and the word its line starts with where the level matters: glyph and colour
 * alone are lost on a screen reader (it skips "!" and "•") and on anyone who cannot tell the colours
 * apart. A passed check or a note needs no word; the line says what was found.
 */
const MARK: Record<PullDiagnosis['findings'][number]['level'], { mark: string; color: string; word: string }> = {
  // In the body's colour: Good and Warning text is unreadable on white in Teams (tint.ts); the verdict
  // above carries the card's tint, the glyph and word say the rest. Attention text reads on white.
  ok: { mark: '✓', color: 'Default', word: '' },
  warn: { mark: '!', color: 'Default', word: 'Warning: ' },
  fail: { mark: '✗', color: 'Attention', word: 'Problem: ' },
  info: { mark: '•', color: 'Default', word: '' },
};

/** `check CLUSTER REGISTRY`. */
export function checkCard(diagnosis: PullDiagnosis, sandbox: boolean): AdaptiveCardJson {
  return renderCard('check', {
    sandbox,
    title: `Can ${diagnosis.cluster.name} pull from ${diagnosis.registry.name}?`,
    verdict: inertText(diagnosis.verdict),
    // Limited by a condition: some repositories only, which acrbot cannot name; not a plain yes.
    verdictStyle: tint(!diagnosis.canPull ? 'Attention' : diagnosis.limited ? 'Warning' : 'Good'),
    findings: diagnosis.findings.map((f) => {
      const { mark, color, word } = MARK[f.level];
      return { mark, color, text: `${word}${inertText(f.text)}` };
    }),
    // It may name a requester (who can extend a grant): user text, like the findings.
    fix: inertText(diagnosis.fix ?? ''),
    hasFix: Boolean(diagnosis.fix),
  });
}
