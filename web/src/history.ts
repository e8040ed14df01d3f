/**
 * The history drawer of a matrix cell or a request: every way the cluster pulls from the
 * registry, and for each acrbot request its approvers, audit entries and Azure request ids,
 * with Extend / Revoke (when the API says the user may) and "Open in chat".
 */
import { api, ApiError, AuthError } from './api';
import { approvalsFact, decideByFact } from './approval-text';
import { type Child, h, replace } from './dom';
import {
  breakGlassFacts,
  chatCommandFor,
  chatLink,
  chatLinkText,
  decisionFacts,
  driftFact,
  endFact,
  extensionFact,
  endedFacts,
  extendInChatHint,
  otherTenantExtendNote,
  extensionWaitingNote,
  isolated,
  noExtendTermNote,
  noHistoryNote,
  offeredTerms,
  placedName,
  rowBadge,
  shortTime,
  whatShort,
} from './format';
import { type Flight, InFlight } from './in-flight';
import type { Host } from './host';
import { problemMessage } from './problem';
import { rowAfterAction } from './row-after-action';
import type { History, Me, RevokePreview, Row } from './types';
import { now } from './clock';
import { revokeChangedWords, revokeEndsWords } from '../../src/domain/revocation-step-words';

/** Context the drawer needs. */
export interface DrawerContext {
  host: Host;
  me: Me;
  /** Called after an action so the page reloads its data. */
  changed(): void;
}

let dialog: HTMLDialogElement | undefined;
/** What opened the drawer, to give focus back to when it closes. */
let opener: HTMLElement | undefined;
/**
 * The id of the list (`section.block`) the opener was in: My access shows an active request in
 * two lists (its grant and the request), so a redrawn row is looked for in its own list first.
 */
let openerSection: string | undefined;

function ensureDialog(): HTMLDialogElement {
  if (dialog) return dialog;
  dialog = h('dialog', { class: 'drawer', attrs: { 'aria-labelledby': 'drawer-title' } });
  // A click on the backdrop closes the drawer. The backdrop's clicks reach the dialog itself, but
  // so do those on the drawer's own blank space (it is the full height of the window, the whole
  // screen at 320 px): only a click whose press and release both lie outside the drawer's box
  // is the backdrop's. A drag that selects a typed reason and ends on the backdrop is no click
  // on it, and must not throw the reason away.
  let pressedOutside = false;
  dialog.addEventListener('pointerdown', (ev) => {
    pressedOutside = ev.target === dialog && outsideBox(dialog!, ev);
  });
  dialog.addEventListener('click', (ev) => {
    const backdrop = pressedOutside && ev.target === dialog && outsideBox(dialog!, ev);
    pressedOutside = false;
    if (backdrop) dialog!.close();
  });
  dialog.addEventListener('close', returnFocus);
  document.body.appendChild(dialog);
  return dialog;
}

/** Whether a pointer event lies outside the element's box (on a modal dialog's backdrop). */
function outsideBox(el: HTMLElement, ev: MouseEvent): boolean {
  const r = el.getBoundingClientRect();
  return ev.clientX < r.left || ev.clientX > r.right || ev.clientY < r.top || ev.clientY > r.bottom;
}

/**
 * Back to the cell or row that opened the drawer. After an action the page reloaded its data and
 * drew that button anew: the new one (same cell, same request) takes the focus instead, found by
 * identity (a cell's resource ids, `cellKey`; a row's request id), never by names two may share.
 * When it is no longer shown (the filters in force leave it out now), focus goes to where it was
 * ({@link focusFallback}), not to the page's start.
 */
function returnFocus(): void {
  const [was, section] = [opener, openerSection];
  opener = openerSection = undefined;
  if (!was) return;
  if (was.isConnected) return was.focus();
  const cell = was.dataset.cell;
  const request = was.closest<HTMLElement>('[data-request]')?.dataset.request ?? was.dataset.request;
  const again = cell
    ? document.querySelector<HTMLElement>(`button[data-cell="${CSS.escape(cell)}"]`)
    : request
      ? requestButton(request, section)
      : null;
  (again ?? focusFallback(Boolean(cell)))?.focus();
}

/** A request's row button, in the list `section` (its opener's) first, else the first shown. */
function requestButton(request: string, section: string | undefined): HTMLElement | null {
  const row = `[data-request="${CSS.escape(request)}"] button`;
  const inSection = section ? document.querySelector<HTMLElement>(`section.block#${CSS.escape(section)} ${row}`) : null;
  return inSection ?? document.querySelector<HTMLElement>(row);
}

/**
 * Where focus goes when the opener is gone: for a cell, the grid's region (focusable, it holds
 * the cells), else the line saying how many entries are shown; for a list row, the page's
 * content. A target that cannot take focus is given `tabindex="-1"` (focusable, not a tab stop).
 */
function focusFallback(fromCell: boolean): HTMLElement | null {
  const target =
    (fromCell ? document.querySelector<HTMLElement>('.grid-wrap') : null) ??
    document.querySelector<HTMLElement>('.count') ??
    document.querySelector<HTMLElement>('.content') ??
    document.querySelector<HTMLElement>('main h1');
  if (target && !target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
  return target;
}

/** Opens the drawer for the rows of one cell (or one request). */
export function openHistory(ctx: DrawerContext, title: string, rows: Row[]): void {
  const d = ensureDialog();
  if (!d.open) {
    opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    openerSection = opener?.closest<HTMLElement>('section.block')?.id || undefined;
  }
  const body = h('div', { class: 'drawer-body' });
  replace(
    d,
    h(
      'header',
      { class: 'drawer-head' },
      h('h2', { attrs: { id: 'drawer-title' } }, title),
      h('button', { class: 'btn', attrs: { type: 'button' }, on: { click: () => d.close() } }, 'Close'),
    ),
    body,
  );
  for (const row of rows) body.appendChild(entry(ctx, row));
  if (!d.open) d.showModal();
}

/**
 * How an action ended: the server's sentence, and whether it was done. `changed`: a Revoke
 * refused because what it deletes and keeps is no longer what its preview showed (409
 * `revoke.changed`), with the preview as it is now.
 */
interface ActionOutcome {
  ok: boolean;
  message: string;
  changed?: RevokePreview;
}

/**
 * Revoke and Extend on their way, by request id: one at a time per request across every drawer
 * (closing and opening the drawer again builds new buttons, which must not send a second one).
 */
const actionsInFlight = new InFlight<ActionOutcome>();

/** A row's state badge ({@link rowBadge}): its label is text, so colour is never the only cue. */
function badge(row: Row): HTMLElement {
  const { label, className } = rowBadge(row);
  return h('span', { class: `badge ${className}` }, label);
}

/**
 * An entry's badge drawn again from `row` once its history is read: a matrix cell's row does not
 * carry its request's break-glass run, so a run whose review is owed would read plain "Active"
 * there while its My access row says "Active, review owed" ({@link rowBadge}). Left as it is when
 * it says the same.
 */
function redrawBadge(section: HTMLElement, row: Row): void {
  const was = section.querySelector(':scope > h3 > .badge');
  const fresh = badge(row);
  if (was && (was.className !== fresh.className || was.textContent !== fresh.textContent)) was.replaceWith(fresh);
}

/** The heading and facts of an entry. */
function entryHead(row: Row): HTMLElement[] {
  return [
    h(
      'h3',
      {},
      badge(row),
      ' ',
      whatShort(row),
      row.requestId ? ' · ' : '',
      // A narrow drawer must not break an id at its hyphen.
      row.requestId ? h('span', { class: 'nowrap' }, row.requestId) : null,
    ),
    facts([
      // Where each is, in the request card's words, always: the drawer's title tells same-named
      // places apart only among those shown, and an approver must not mistake the subscription.
      ['Cluster', placedName(row.cluster)],
      ['Registry', placedName(row.registry)],
      ['How', row.howText],
      driftFact(row),
      ['Extends', row.extendsRequestId],
      // A pending extension's, in its request card's words (src/domain/pending-extension.ts).
      ['Now ends', shortTime(row.extendsEndsAt)],
      ['Would end', row.wouldEnd],
      ['Extended before', row.extendedBefore],
      extensionFact(row),
      ['Term asked', row.termAsked],
      ['Notes', row.notes?.join('; ')],
      ['Requested by', row.requester?.name],
      ['Reason', row.reason],
      ['Requested', shortTime(row.createdAt)],
      // A pending request's, as its approvals row leads with them.
      decideByFact(row, now()),
      approvalsFact(row),
      endFact(row, now()),
    ]),
  ];
}

function entry(ctx: DrawerContext, row: Row): HTMLElement {
  const section = h('section', { class: 'entry' }, ...entryHead(row));
  if (!row.requestId) {
    section.appendChild(h('p', { class: 'note' }, noHistoryNote(row)));
    return section;
  }
  const requestId = row.requestId;
  const more = h(
    'div',
    { class: 'entry-more', attrs: { 'aria-live': 'polite' } },
    h('p', { class: 'status' }, 'Loading history…'),
  );
  section.appendChild(more);
  /** The entry's row as drawn: the cell's way of pulling, brought up to date after each action. */
  let shown = row;
  /**
   * Reads the history and draws it. After an action (`done`: its answer, kept on show) the entry
   * is drawn anew from the history read then, its badge and facts too, so it shows what the
   * action changed and offers only what may be done now; the way of pulling's own facts (a
   * matrix row's How, Notes and the state Azure shows) stay ({@link rowAfterAction}).
   */
  const load = (done?: string) => {
    // An action on its way when the history was asked for may answer before it does: the
    // history then predates it, so it is followed and read again once answered.
    const flying = actionsInFlight.get(requestId);
    void api<History>(ctx.host, `/requests/${encodeURIComponent(requestId)}`).then(
      (hist) => {
        if (!section.isConnected && done !== undefined) return;
        const hadFocus = section.contains(document.activeElement);
        if (done !== undefined) {
          shown = rowAfterAction(shown, hist.row);
          replace(section, ...entryHead(shown), more);
        } else {
          // Its request's break-glass run, which a matrix cell's row does not carry, shows on its badge.
          shown = { ...shown, breakGlass: hist.row.breakGlass };
          redrawBadge(section, shown);
        }
        replace(more, ...historyParts(ctx, hist, { refresh: load, done, flying }));
        if (hadFocus) more.querySelector<HTMLElement>('.action-message')?.focus();
      },
      (err: unknown) => {
        if (done === undefined)
          return replace(more, h('p', { class: 'error', attrs: { role: 'alert' } }, problemMessage(err)));
        // The action was done; only its fresh history could not be read.
        const message = more.querySelector('.action-message');
        if (message) message.textContent = `${done} (Its history could not be read again: ${problemMessage(err)})`;
      },
    );
  };
  load();
  return section;
}

/** What the actions of an entry are drawn with. */
interface ActionsState {
  /** Reads the history again and draws the entry anew, showing `done` (an action's answer). */
  refresh(done: string): void;
  /** The answer of an action just done, to keep showing. */
  done?: string;
  /** An action on this request on its way (sent from this drawer or another). */
  flying?: Flight<ActionOutcome>;
}

function facts(items: Array<[string, string | undefined]>): HTMLElement {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of items) if (v) dl.append(h('dt', {}, k), h('dd', {}, v));
  return dl;
}

function historyParts(ctx: DrawerContext, hist: History, state: ActionsState): HTMLElement[] {
  const parts: HTMLElement[] = [];
  parts.push(
    facts([
      ...breakGlassFacts(hist.row),
      ...decisionFacts(hist),
      ['Decision note', hist.decision?.reason],
      ['Outcome', hist.outcome ? (hist.outcome.error ?? hist.outcome.summary) : undefined],
      ...endedFacts(hist),
      ['Azure request ids', hist.azureRequestIds.join(', ') || undefined],
    ]),
  );
  parts.push(actions(ctx, hist.row, state));
  const list = h('ol', { class: 'audit' });
  for (const e of hist.audit)
    list.appendChild(
      h(
        'li',
        {},
        h('span', { class: 'audit-time' }, shortTime(e.ts)),
        ' ',
        h('strong', {}, e.action),
        ` by ${isolated(e.actor.name)}: ${e.outcome}`,
        e.detail ? ` — ${e.detail}` : '',
        e.correlationIds.length ? h('span', { class: 'ids' }, ` (${e.correlationIds.join(', ')})`) : '',
      ),
    );
  parts.push(h('details', { class: 'audit-box' }, h('summary', {}, `Audit trail (${hist.audit.length})`), list));
  return parts;
}

function actions(ctx: DrawerContext, row: Row, state: ActionsState): HTMLElement {
  const box = h('div', { class: 'actions' });
  const message = h('p', { class: 'action-message', attrs: { role: 'status', tabindex: '-1' } }, state.done);
  const requestId = row.requestId!;
  const buttons = () => Array.from(box.querySelectorAll('button'));
  // Revoke shows what it deletes and keeps first, and confirms against that (revokeControls).
  const revoke = row.canRevoke
    ? revokeControls(
        ctx,
        requestId,
        (body) => run('Revoke', body),
        () => box.contains(document.activeElement),
      )
    : undefined;
  /** Shows an action on its way (buttons off) until it is answered: done, the entry is drawn anew. */
  const follow = (flight: Flight<ActionOutcome>) => {
    message.textContent = `${flight.what}…`;
    for (const b of buttons()) b.disabled = true;
    void flight.done.then((outcome) => {
      // A drawer closed meanwhile has nothing to show; one opened again follows the action itself.
      if (!box.isConnected) return;
      if (outcome.ok) return state.refresh(outcome.message);
      for (const b of buttons()) b.disabled = false;
      // The new preview says it changed, in its place: the message would say it twice.
      if (outcome.changed && revoke) return void ((message.textContent = ''), revoke.changed(outcome.changed));
      message.textContent = outcome.message;
    });
  };
  // One action at a time per request, whichever drawer sent it: a second click while the first
  // is on its way would send it twice, and whichever answer came last (a 409 "already running"
  // after the 200) would be shown.
  const run = (what: string, body: unknown) => {
    const flight = actionsInFlight.start(requestId, what, async (): Promise<ActionOutcome> => {
      try {
        const res = await api<{ message: string }>(
          ctx.host,
          `/requests/${encodeURIComponent(requestId)}/${what.toLowerCase()}`,
          body,
        );
        ctx.changed();
        return { ok: true, message: res.message };
      } catch (err) {
        const text = err instanceof ApiError || err instanceof AuthError ? err.message : 'That did not work.';
        const changed = err instanceof ApiError && err.code === 'revoke.changed' ? changedPreview(err.body) : undefined;
        return { ok: false, message: text, ...(changed && { changed }) };
      }
    });
    if (!flight) return;
    // Focus moves to the message before the buttons are disabled (a disabled button drops it to
    // the page), so a keyboard or screen-reader user stays where the answer appears.
    message.focus();
    follow(flight);
  };
  const waiting = extensionWaitingNote(row, ctx.me);
  if (waiting) box.appendChild(h('p', { class: 'note' }, waiting));
  // While new access is paused the server refuses Extend; say so instead of offering it.
  const paused = Boolean(ctx.me.paused) && row.canExtend;
  if (paused) box.appendChild(h('p', { class: 'note' }, 'Extend is not available while new access is paused.'));
  // Measured against the term's end, not a pull secret's credential expiry before it.
  const terms = row.canExtend && !paused ? offeredTerms(row, now()) : [];
  if (row.canExtend && !paused && terms.length === 0) {
    const note = noExtendTermNote(row, now());
    box.appendChild(
      h(
        'p',
        { class: 'note' },
        note.text,
        ...(note.chat ? [h('code', {}, `extend ${requestId} --for ${note.chatTerm ?? '<longer>'} <reason>`)] : []),
      ),
    );
  }
  if (terms.length) {
    const select = h(
      'select',
      { attrs: { id: `extend-${requestId}`, name: 'duration' } },
      ...terms.map((t) => h('option', { attrs: { value: t.value } }, t.label)),
    );
    select.value = terms.some((t) => t.value === '7d') ? '7d' : terms[0]!.value;
    const why = reasonInput(`extend-reason-${requestId}`);
    // An extension is a new request: an approver decides in chat, like for the first one.
    box.appendChild(
      h(
        'form',
        {
          class: 'action-form',
          on: {
            submit: (ev) => {
              ev.preventDefault();
              void run('Extend', { duration: select.value, reason: why.value });
            },
          },
        },
        h('label', { attrs: { for: `extend-${requestId}` } }, 'New term, from when it is granted'),
        select,
        h('label', { attrs: { for: `extend-reason-${requestId}` } }, 'Why it is still needed'),
        why,
        h('button', { class: 'btn', attrs: { type: 'submit' } }, 'Ask to extend'),
      ),
    );
  }
  if (revoke) box.appendChild(revoke.area);
  const otherTenant = otherTenantExtendNote(row, ctx.me.user.objectId, now());
  if (otherTenant) box.appendChild(h('p', { class: 'note' }, otherTenant));
  if (extendInChatHint(row, ctx.me.user.objectId))
    box.appendChild(
      h('p', { class: 'note' }, 'To extend it, say in chat: ', h('code', {}, `extend ${requestId} --for 30d <reason>`)),
    );
  const link = chatLink(ctx.me.botAppId, chatCommandFor(row, ctx.me));
  box.appendChild(
    h(
      'a',
      {
        class: 'chat-link',
        attrs: { href: link, target: '_blank', rel: 'noopener' },
        on: {
          click: (ev) => {
            if (ctx.host.inTeams) {
              ev.preventDefault();
              ctx.host.openLink(link);
            }
          },
        },
      },
      chatLinkText(row, ctx.me),
    ),
  );
  box.appendChild(message);
  const flying = state.flying ?? actionsInFlight.get(requestId);
  if (flying) follow(flying);
  return box;
}

/** What the drawer's Revoke shows and does ({@link revokeControls}). */
interface RevokeControls {
  /** The reason and "Revoke…", then the preview with the confirming Revoke. */
  area: HTMLElement;
  /** Draws `preview`, the one a refused confirm was answered with, saying that it changed. */
  changed(preview: RevokePreview): void;
}

/**
 * The note over a preview drawn again because the confirm found it changed (chat's card says
 * the same of itself when its click redraws it, domain/revocation-step-words.ts): nothing was
 * revoked.
 */
export const REVOKE_PREVIEW_CHANGED = revokeChangedWords('list');

/**
 * The drawer's Revoke, as chat's `revoke R-…`: its form (the reason, "Revoke…") reads what
 * revoking would delete and keep (`GET …/revoke-preview`, the card's lines and fingerprint) and
 * shows it below, with "Revoke", which sends the reason and the fingerprint (`confirm`), so the
 * server revokes only what was shown, or answers with the new preview
 * ({@link RevokeControls.changed}). Nothing revokes before the list was shown: Enter in the
 * reason reads the preview again. Its heading takes the focus when it is drawn (a keyboard or
 * screen-reader user is taken to what they are asked to confirm); Cancel gives it back to the
 * reason, and Escape closes the drawer, as everywhere in it. `focused`: whether the focus is in
 * the entry's actions, so a preview drawn again after a confirm sent from another drawer does
 * not take it.
 */
function revokeControls(
  ctx: DrawerContext,
  requestId: string,
  confirm: (body: { reason: string; fingerprint: string }) => void,
  focused: () => boolean,
): RevokeControls {
  const reason = reasonInput(`revoke-${requestId}`);
  const titleId = `revoke-title-${requestId}`;
  const open = h('button', { class: 'btn btn-danger', attrs: { type: 'submit' } }, 'Revoke…');
  const shown = h('div', { class: 'revoke-shown' });
  const closed = (problem?: string) => {
    open.hidden = false;
    replace(shown, problem ? h('p', { class: 'error', attrs: { role: 'alert' } }, problem) : null);
  };
  const read = async () => {
    replace(shown, h('p', { class: 'status', attrs: { role: 'status' } }, 'Reading what revoking deletes and keeps…'));
    try {
      const preview = await api<RevokePreview>(ctx.host, `/requests/${encodeURIComponent(requestId)}/revoke-preview`);
      if (shown.isConnected) show(preview, false, true);
    } catch (err) {
      if (shown.isConnected) closed(problemMessage(err));
    }
  };
  const show = (preview: RevokePreview, changed: boolean, focus: boolean) => {
    const heading = h('h4', { attrs: { id: titleId, tabindex: '-1' } }, `Revoke ${preview.requestId}?`);
    // One "Revoke" at a time: the one that confirms what is listed.
    open.hidden = true;
    const revoke = () => {
      // The reason's own bounds, as the form's "Revoke…" checks them (the server checks again).
      if (!reason.reportValidity()) return reason.focus();
      confirm({ reason: reason.value, fingerprint: preview.fingerprint });
    };
    replace(
      shown,
      h(
        'div',
        { class: 'revoke-preview', attrs: { role: 'group', 'aria-labelledby': titleId } },
        heading,
        changed ? h('p', { class: 'error', attrs: { role: 'alert' } }, REVOKE_PREVIEW_CHANGED) : null,
        preview.extensionNote ? h('p', {}, preview.extensionNote) : null,
        h('p', {}, revokeEndsWords()),
        // The steps name what the requester chose (a secret, a service account): text nodes only.
        h('ul', { class: 'audit revoke-steps' }, ...preview.lines.map((line) => h('li', {}, line))),
        h(
          'div',
          { class: 'action-form' },
          h('button', { class: 'btn btn-danger', attrs: { type: 'button' }, on: { click: revoke } }, 'Revoke'),
          h(
            'button',
            {
              class: 'btn',
              attrs: { type: 'button' },
              on: {
                click: () => {
                  closed();
                  reason.focus();
                },
              },
            },
            'Cancel',
          ),
        ),
      ),
    );
    if (focus) heading.focus();
  };
  const area = h(
    'div',
    { class: 'revoke' },
    h(
      'form',
      {
        class: 'action-form',
        on: {
          submit: (ev) => {
            ev.preventDefault();
            // A Revoke on its way (from this drawer or another): nothing more to confirm.
            if (!actionsInFlight.get(requestId)) void read();
          },
        },
      },
      h('label', { attrs: { for: reason.id } }, 'Reason to revoke'),
      reason,
      open,
    ),
    shown,
  );
  return { area, changed: (preview) => show(preview, true, focused()) };
}

/** The new preview a 409 `revoke.changed` carries, when it has the shape the page draws. */
function changedPreview(body: unknown): RevokePreview | undefined {
  const preview = (body as { preview?: Partial<RevokePreview> } | undefined)?.preview;
  return preview &&
    typeof preview.requestId === 'string' &&
    typeof preview.fingerprint === 'string' &&
    Array.isArray(preview.lines) &&
    preview.lines.every((l) => typeof l === 'string')
    ? (preview as RevokePreview)
    : undefined;
}

/** The reason field of the Extend and Revoke forms (the server checks the same bounds). */
function reasonInput(id: string): HTMLInputElement {
  return h('input', {
    attrs: { id, name: 'reason', type: 'text', required: '', minlength: '8', maxlength: '500' },
  }) as HTMLInputElement;
}

/** A list row: a button that opens the row's history (state badge and pair), then `meta` lines. */
export function rowItem(ctx: DrawerContext, r: Row, title: string, ...meta: Child[]): HTMLLIElement {
  return h(
    'li',
    { class: 'row', attrs: { 'data-request': r.requestId ?? r.key } },
    h(
      'button',
      { class: 'row-open', attrs: { type: 'button' }, on: { click: () => openHistory(ctx, title, [r]) } },
      badge(r),
      h('span', { class: 'row-title' }, title),
    ),
    ...meta,
  );
}
