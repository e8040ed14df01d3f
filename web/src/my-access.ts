/**
 * The personal tab "My access": what waits for the user as an approver (break-glass reviews they
 * owe, then approvals asked of them), their active grants and secrets with expiry, and all their
 * requests.
 */
import { approvalDetail, approvalLinkText } from './approval-text';
import { h, replace } from './dom';
import {
  chatCommandFor,
  chatLink,
  driftLine,
  endText,
  placedRowTitle,
  placeLabelsOf,
  rowTitle,
  whatShort,
} from './format';
import { type DrawerContext, rowItem } from './history';
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

function section(
  id: string,
  title: string,
  rows: Row[],
  ctx: DrawerContext,
  titleOf: (r: Row) => string,
  empty: string,
  detail: (r: Row) => string,
): HTMLElement {
  const list = h('ul', { class: 'rows', attrs: { 'aria-labelledby': `h-${id}` } });
  for (const r of rows)
    list.appendChild(
      rowItem(
        ctx,
        r,
        titleOf(r),
        h('p', { class: 'row-meta' }, `${whatShort(r)} · `, h('span', { class: 'nowrap' }, r.requestId ?? '')),
        h('p', { class: 'row-meta' }, detail(r)),
        driftLine(r) ? h('p', { class: 'row-meta' }, driftLine(r)) : null,
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
    );
  return h(
    'section',
    { class: 'block', attrs: { id } },
    h('h2', { class: 'section-title', attrs: { id: `h-${id}` } }, `${title} (${rows.length})`),
    rows.length ? list : h('p', { class: 'empty' }, empty),
  );
}
