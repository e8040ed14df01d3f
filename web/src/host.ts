/**
 * Where the tab runs and how it gets a token.
 *
 * In Teams (the page is framed by a Teams / Microsoft 365 host) it uses `@microsoft/teams-js`
 * `authentication.getAuthToken()`: Teams itself obtains an Entra access token for acrbot's API
 * (`webApplicationInfo.resource`, scope `access_as_user`) silently, caches and refreshes it.
 * Chosen over Nested App Authentication with MSAL because the tab only calls its own API (no
 * Microsoft Graph from the browser, which is what NAA is for), it needs no extra package
 * (MSAL.js would be another ~100 KB dependency), and the server validates the token either way.
 *
 * The wait for a framing host is bounded (`host-deadline.ts`): teams-js's own has no limit.
 *
 * In a plain browser (sandbox mode) the token comes from `/tabs/sandbox-signin`, which stores it
 * in session storage. Teams' theme follows `app.getContext()` and the theme-change handler; in
 * a browser `?theme=dark|contrast` picks one.
 */
import { app, authentication } from '@microsoft/teams-js';
import { signInFailure } from './api';
import { HostSilentError, withinHostLimit } from './host-deadline';

/** Session storage key of the sandbox token. */
export const SANDBOX_TOKEN_KEY = 'acrbot.sandboxToken';

export type Theme = 'default' | 'dark' | 'contrast';

/** The host the page runs in. */
export interface Host {
  inTeams: boolean;
  theme: Theme;
  /**
   * True in Teams' iOS, iPadOS and Android apps: their web view drops a file the page makes
   * (a blob link's download, OfficeDev/microsoft-teams-library-js#611), so no export is offered
   * there. Absent elsewhere.
   */
  savesNoFiles?: boolean;
  /**
   * The language the user set in Teams (`app.getContext()`'s `app.locale`, e.g. "en-us"), which
   * the page sorts names in (name-order.ts). Absent outside Teams: the browser's is used.
   */
  locale?: string;
  /** A token for the tab API, or undefined when the user must sign in. */
  token(): Promise<string | undefined>;
  /** Opens a link the way the host wants (Teams deep links inside Teams). */
  openLink(url: string): void;
  onThemeChange(fn: (theme: Theme) => void): void;
}

const asTheme = (t: string | null | undefined): Theme => (t === 'dark' || t === 'contrast' ? t : 'default');

/**
 * Teams' clients (`app.host.clientType`) whose page saves a file it makes (a blob download):
 * the desktop apps and the browser. Listed, not the others: the phone and tablet apps do not, and
 * neither, most likely, do the room, phone and display devices (Android-based) nor a client type
 * added later, where a button that does nothing is worse than saying where it works.
 */
const FILE_SAVING_CLIENTS: readonly string[] = ['desktop', 'web', 'macos'];

/** Whether a Teams client of `clientType` saves no file the page makes; undefined (no Teams host): it does. */
export function savesNoFiles(clientType: string | undefined): boolean {
  return clientType !== undefined && !FILE_SAVING_CLIENTS.includes(clientType);
}

/**
 * Detects the host. Never waits for Teams when the page is not framed; when it is, waits at
 * most `HOST_ANSWER_LIMIT_MS` for the host to answer, then rejects with a
 * {@link HostSilentError} whose message says what to do (shown instead of "Loading…" for good).
 */
export async function detectHost(): Promise<Host> {
  const framed = window.self !== window.top;
  if (framed) {
    let context: app.Context | undefined;
    try {
      context = await withinHostLimit(app.initialize().then(() => app.getContext()));
    } catch (err) {
      // Silence is not a refusal: something frames the page and may yet be Teams; say so.
      if (err instanceof HostSilentError) throw err;
      // Refused: framed by something that is not Teams, so behave like a browser.
    }
    if (context)
      return {
        inTeams: true,
        theme: asTheme(context.app.theme),
        ...(savesNoFiles(context.app.host?.clientType) && { savesNoFiles: true }),
        ...(context.app.locale && { locale: context.app.locale }),
        // A refusal (no consent, a misconfigured app registration) is a sign-in problem to explain.
        token: () =>
          authentication.getAuthToken().catch((err: unknown) => {
            throw signInFailure(err);
          }),
        openLink: (url) => void app.openLink(url),
        onThemeChange: (fn) => app.registerOnThemeChangeHandler((t) => fn(asTheme(t))),
      };
  }
  const query = new URLSearchParams(location.search);
  return {
    inTeams: false,
    theme: asTheme(query.get('theme')),
    token: async () => sessionStorage.getItem(SANDBOX_TOKEN_KEY) ?? undefined,
    openLink: (url) => void window.open(url, '_blank', 'noopener'),
    onThemeChange: () => undefined,
  };
}

/** Applies a theme to the document. */
export function applyTheme(theme: Theme): void {
  document.body.classList.remove('theme-default', 'theme-dark', 'theme-contrast');
  document.body.classList.add(`theme-${theme}`);
  document.documentElement.style.colorScheme = theme === 'default' ? 'light' : 'dark';
}
