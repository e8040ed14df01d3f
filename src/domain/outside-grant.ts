/**
 * Role assignments made outside acrbot (origin `outside`): what Azure says of when and by whom
 * each was made (`properties.createdOn`, `properties.createdBy`), and how `access` and the tab
 * say it. An incident's first question is "who can pull, and how did they get it?": for access
 * acrbot did not grant, Azure's record is the only answer acrbot has. `createdBy` is an object id,
 * not resolved through Graph here; like any text from Azure it is shown as user text.
 */
import type { RoleAssignmentInfo } from './azure-model';
import type { OutsideGrantFacts, RoleAssignmentPath } from './inventory-rows';

/** How `access` and the tab name an assignment made outside acrbot when Azure says nothing more. */
const OUTSIDE_GRANT_TEXT = 'granted outside acrbot';

/** Longest `createdBy` shown (an object id is 36 characters); longer is cut with "…". */
const MAX_BY_CHARS = 64;

/** `2025-01-10T08:00:00.123Z` and the like: the minute at least, so the date shown means something. */
const ISO_MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * What of `a`'s `createdOn` and `createdBy` can be shown: a time only when it reads as ISO 8601,
 * an id cleaned of control characters and cut to {@link MAX_BY_CHARS}. Undefined when neither.
 */
export function outsideGrantFacts(
  a: Pick<RoleAssignmentInfo, 'createdOn' | 'createdBy'>,
): OutsideGrantFacts | undefined {
  const on =
    a.createdOn && ISO_MINUTE.test(a.createdOn) && Number.isFinite(Date.parse(a.createdOn)) ? a.createdOn : undefined;
  // C0, DEL and C1 controls: one would break a card line or a CSV row.
  const cleaned = (a.createdBy ?? '').replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  const by = cleaned.length > MAX_BY_CHARS ? `${cleaned.slice(0, MAX_BY_CHARS - 1)}…` : cleaned || undefined;
  return on || by ? { ...(on && { on }), ...(by && { by }) } : undefined;
}

/**
 * "granted outside acrbot on 2025-01-10 08:00 UTC by object id …", with what Azure said (either
 * part left out when it said nothing usable). Not neutralised: the caller makes it inert.
 */
export function outsideGrantText(path: Pick<RoleAssignmentPath, 'madeOutside'>): string {
  const { on, by } = path.madeOutside ?? {};
  // As pull-diagnosis.ts shortTime: `2027-01-04 10:00 UTC`.
  const when = on ? ` on ${on.slice(0, 16).replace('T', ' ')} UTC` : '';
  return `${OUTSIDE_GRANT_TEXT}${when}${by ? ` by object id ${by}` : ''}`;
}
