/**
 * Entry of the tab bundle: the page kind comes from `<meta name="acrbot-page">` (personal,
 * matrix, config, signin, chooser). Renders a header, loads the data with the user's token and
 * draws the page; 401/403 show what to do instead of data.
 */
import { api, AuthError } from './api';
import { h, replace } from './dom';
import { applyTheme, detectHost, type Host, SANDBOX_TOKEN_KEY } from './host';
import { renderConfig } from './config-page';
import { pausedBanner, pauseUnreadableBanner } from './format';
import type { DrawerContext } from './history';
import { renderMatrix } from './matrix';
import { loadMatrix } from './matrix-loader';
import { renderMyAccess } from './my-access';
import { sortNamesIn } from './name-order';
import { newestOnly } from './newest';
import { problemMessage } from './problem';
import type { Me, MyAccess } from './types';
import { syncClock } from './clock';

const meta = (name: string): string => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '';

async function main(): Promise<void> {
  const page = meta('acrbot-page');
  if (page === 'signin') {
    // Sandbox sign-in: keep the token for this browser tab only, then open the page asked for.
    sessionStorage.setItem(SANDBOX_TOKEN_KEY, meta('acrbot-token'));
    location.replace(meta('acrbot-next') || '/tabs/personal');
    return;
  }
  if (page === 'chooser') return;
  const root = document.getElementById('app')!;
  let host: Host;
  try {
    host = await detectHost();
  } catch (err) {
    // The app framing the page never answered (HostSilentError): what to do, not "Loading…".
    replace(root, h('h1', {}, page === 'personal' ? 'My access' : 'Access matrix'), problemBox(err));
    shown(root);
    return;
  }
  applyTheme(host.theme);
  host.onThemeChange(applyTheme);
  // Before anything is sorted: names in the language the user set in Teams, else the browser's.
  sortNamesIn(host.locale);
  if (page === 'config') {
    renderConfig(root, host);
    root.removeAttribute('aria-busy');
    return;
  }
  await load(root, host, page === 'matrix' ? 'matrix' : 'personal');
}

async function load(root: HTMLElement, host: Host, page: 'matrix' | 'personal'): Promise<void> {
  const title = page === 'matrix' ? 'Access matrix' : 'My access';
  try {
    const me = await api<Me>(host, '/me');
    syncClock(me.now);
    const content = h('div', { class: 'content' });
    const reloadProblem = h('div', { class: 'reload-problem' });
    replace(
      root,
      h(
        'header',
        { class: 'page-head' },
        h('h1', {}, title),
        h(
          'p',
          { class: 'who' },
          `${me.user.name} · `,
          me.sees === 'all'
            ? `${me.roles.approver ? 'Approver' : 'Auditor'}: you see everything`
            : 'You see your own requests',
        ),
      ),
      ...(me.paused ? [h('p', { class: 'paused-banner', attrs: { role: 'status' } }, pausedBanner(me.paused))] : []),
      ...(me.pauseUnreadable
        ? [h('p', { class: 'paused-banner', attrs: { role: 'status' } }, pauseUnreadableBanner(me.pauseUnreadable))]
        : []),
      reloadProblem,
      content,
    );
    // A reload after an action that fails (an expired sign-in, the bot restarting) says so above
    // the data it could not refresh, instead of leaving it looking current. One alert at most:
    // a newer failure replaces the older (a new alert element, so it is announced again), and a
    // reload that draws takes it away, its data being current again.
    const ctx: DrawerContext = {
      host,
      me,
      changed: () =>
        void reload().then(
          (drew) => {
            if (drew) reloadProblem.replaceChildren();
          },
          (err: unknown) => replace(reloadProblem, problem(err, host)),
        ),
    };
    // Only the newest reload draws: an older one answering last would show stale data.
    const loads = newestOnly();
    const reload = () =>
      page === 'matrix'
        ? loads.run(
            () => loadMatrix(host),
            (data) => renderMatrix(content, data, ctx),
          )
        : loads.run(
            () => api<MyAccess>(host, '/my-access'),
            (data) => renderMyAccess(content, data, ctx),
          );
    await reload();
  } catch (err) {
    replace(root, h('h1', {}, title), problem(err, host));
  } finally {
    shown(root);
  }
}

/** The page is drawn (data or a problem): no longer busy, and tests may look. */
function shown(root: HTMLElement): void {
  root.removeAttribute('aria-busy');
  document.body.dataset.ready = 'true';
}

function problem(err: unknown, host: Host): HTMLElement {
  if (err instanceof AuthError) {
    const box = h('div', { class: 'problem', attrs: { role: 'alert' } }, h('p', {}, err.message));
    if (!host.inTeams && meta('acrbot-sandbox') === 'true')
      box.appendChild(
        h(
          'p',
          {},
          h(
            'a',
            { attrs: { href: `/tabs/sandbox-signin?next=${encodeURIComponent(location.pathname)}` } },
            'Sign in to the sandbox',
          ),
        ),
      );
    else if (!host.inTeams) box.appendChild(h('p', {}, 'Open this tab in Microsoft Teams.'));
    return box;
  }
  return problemBox(err);
}

/** A failure as an alert with its sentence ({@link problemMessage}). */
function problemBox(err: unknown): HTMLElement {
  return h('div', { class: 'problem', attrs: { role: 'alert' } }, h('p', {}, problemMessage(err)));
}

void main();
