/**
 * The personal tab "My access": what waits for the user as an approver (break-glass reviews they
 * owe, then approvals asked of them, the soonest to run out first, as the server orders them;
 * searchable once there are many, and a note when the server read only the oldest), their active
 * grants and secrets with expiry, and all their requests.
 */
import { approvalDetail, approvalLinkText } from './approval-text';
import { h, replace } from './dom';
import {
  chatCommandFor,
  chatLink,
  clusterGoneLine,
  driftLine,
  endText,
  placedRowTitle,
  placeLabelsOf,
  rowTitle,
  whatShort,
} from './format';
import { type DrawerContext, rowItem } from './history';
import { searchMatches } from './matrix-model';
import type { MyAccess, Row } from './types';
import { now } from './clock';

/** Renders "My access" into `root`. */
export function renderMyAccess(root: HTMLElement, data: MyAccess, ctx: DrawerContext): void {
  const sections: HTMLElement[] = [];
  const labels = placeLabelsOf([...data.approvals, ...data.grants, ...data.requests]);
  const titleOf = (r: Row) => rowTitle(r, labels);
  if (ctx.me.roles.approver)
    sections.push(
      section(
        'approvals',
        'Waiting for your approval',
        data.approvals,
        ctx,
        // An approver decides on these: each names its places in full, as the request card does,
        // not only when two of the viewer's rows share a name (placedRowTitle).
        placedRowTitle,
        'Nothing is waiting for you.',
        (r) => approvalDetail(r, now()),
        // Past the server's bound only the oldest were read: said, as the matrix says `incomplete`.
        data.waitingBoundReached ? WAITING_BOUND_NOTE : undefined,
      ),
    );
  sections.push(
    section(
      'grants',
      'Your active access',
      data.grants,
      ctx,
      titleOf,
      'You have no active access.',
      (r) => endText(r, now()) ?? 'No end date',
    ),
  );
  sections.push(
    section(
      'requests',
      'Your requests',
      data.requests,
      ctx,
      titleOf,
      'You have not asked for access yet.',
      (r) => r.reason ?? '',
    ),
  );
  replace(root, ...sections);
}

/**
 * Under "Waiting for your approval" when the server's read of what waits reached its bound
 * (`waitingBoundReached`): the list may be missing some, and "Nothing is waiting" may not be so.
 */
export const WAITING_BOUND_NOTE =
  'More requests wait for approvers than acrbot reads at once: only the oldest were read, so some asked of you may be missing here. "@acrbot pending R-…" in chat shows any one of them.';

function section(
  id: string,
  title: string,
  rows: Row[],
  ctx: DrawerContext,
  titleOf: (r: Row) => string,
  empty: string,
  detail: (r: Row) => string,
  note?: string,
): HTMLElement {
  const list = h('ul', { class: 'rows', attrs: { 'aria-labelledby': `h-${id}` } });
  const items: Array<[Row, HTMLElement]> = [];
  for (const r of rows)
    items.push([
      r,
      rowItem(
        ctx,
        r,
        titleOf(r),
        h('p', { class: 'row-meta' }, `${whatShort(r)} · `, h('span', { class: 'nowrap' }, r.requestId ?? '')),
        h('p', { class: 'row-meta' }, detail(r)),
        driftLine(r) ? h('p', { class: 'row-meta' }, driftLine(r)) : null,
        clusterGoneLine(r) ? h('p', { class: 'row-meta' }, clusterGoneLine(r)) : null,
        // An approver's pending row or review owed: "pending R-…", with Approve and Reject (chatCommandFor).
        r.requestId && id === 'approvals'
          ? h(
              'a',
              {
                class: 'chat-link',
                attrs: {
                  href: chatLink(ctx.me.botAppId, chatCommandFor(r, ctx.me)),
                  target: '_blank',
                  rel: 'noopener',
                },
                on: {
                  click: (ev) => {
                    if (ctx.host.inTeams) {
                      ev.preventDefault();
                      ctx.host.openLink(chatLink(ctx.me.botAppId, chatCommandFor(r, ctx.me)));
                    }
                  },
                },
              },
              approvalLinkText(r),
            )
          : null,
      ),
    ]);
  list.append(...items.map(([, li]) => li));
  return h(
    'section',
    { class: 'block', attrs: { id } },
    h('h2', { class: 'section-title', attrs: { id: `h-${id}` } }, `${title} (${rows.length})`),
    note ? h('p', { class: 'note', attrs: { role: 'note' } }, note) : null,
    id === 'approvals' && rows.length >= APPROVALS_SEARCH_FROM ? approvalsSearchOver(items) : null,
    rows.length ? list : h('p', { class: 'empty' }, empty),
  );
}

/**
 * How many rows "Waiting for your approval" has before it offers a search: a few are read at a
 * glance, hundreds (an approver of a busy rule) are not.
 */
export const APPROVALS_SEARCH_FROM = 6;

/** The approvals search as typed, kept when My access is drawn again (after an action, a reload of it). */
let approvalsSearch = '';

/**
 * A search above "Waiting for your approval", by the matrix's words ({@link searchMatches}:
 * cluster, registry, requester, reason, id): rows that do not match are hidden, not reordered, so
 * the list keeps its order (reviews owed, then the soonest to run out), and the count says how
 * many of them are shown.
 */
function approvalsSearchOver(items: ReadonlyArray<[Row, HTMLElement]>): HTMLElement {
  const input = h('input', {
    attrs: { id: 'approvals-q', type: 'search', name: 'q', placeholder: 'cluster, registry, person, id…' },
  });
  const count = h('p', { class: 'count', attrs: { role: 'status', 'aria-live': 'polite' } });
  const update = () => {
    approvalsSearch = input.value;
    let shown = 0;
    for (const [row, li] of items) {
      li.hidden = !searchMatches(row, input.value);
      if (!li.hidden) shown++;
    }
    count.textContent = input.value.trim() ? `${shown} of ${items.length} shown` : '';
  };
  input.value = approvalsSearch;
  input.addEventListener('input', update);
  update();
  return h(
    'form',
    {
      class: 'filters',
      attrs: { role: 'search', 'aria-label': 'Search what waits for your approval' },
      on: { submit: (e) => e.preventDefault() },
    },
    h('div', { class: 'field field-wide' }, h('label', { attrs: { for: 'approvals-q' } }, 'Search'), input),
    count,
  );
}
