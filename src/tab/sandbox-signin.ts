/**
 * Sandbox mode only: `/tabs/sandbox-signin?user=<seeded user>&next=/tabs/matrix` signs a seeded
 * person in without Teams. The server asks the sandbox's OpenID issuer for an access token (its
 * token endpoint, over the sandbox's HTTPS, trusting the sandbox CA for this call only), and the
 * page hands the token to the front end (session storage) and opens `next`. The API then
 * validates the token exactly as in production. The app wires this only in sandbox mode.
 */
import { request } from 'node:https';
import { escapeHtml } from './html';

/** Grant type the sandbox issuer accepts (a seeded user, no password: loopback sandbox only). */
const SANDBOX_USER_GRANT = 'urn:acrbot:sandbox:user';

/** Where the sandbox issuer is and what to ask it for. */
export interface SandboxSignInOptions {
  tokenEndpoint: string;
  caPem?: string;
  clientId: string;
  /** The API resource (`api://<domain>/<app id>`); the scope asked is `<resource>/access_as_user`. */
  resource: string;
  /** Seeded people, for the chooser. */
  users: Array<{ key: string; name: string }>;
}

/** The sandbox sign-in page. */
export class SandboxSignIn {
  constructor(private readonly options: SandboxSignInOptions) {}

  /** The page for a query (`user`, `next`). */
  async page(query: Record<string, unknown>): Promise<{ status: number; html: string }> {
    const user = typeof query.user === 'string' ? query.user : '';
    const nextRaw = typeof query.next === 'string' ? query.next : '/tabs/personal';
    // Only our own tab pages: no open redirect.
    const next = /^\/tabs\/(personal|matrix|config)(\?[\w=&%.-]*)?$/.test(nextRaw) ? nextRaw : '/tabs/personal';
    if (!this.options.users.some((u) => u.key === user))
      return { status: user ? 400 : 200, html: this.chooser(user, next) };
    const token = await this.token(user);
    return {
      status: 200,
      html: page(
        'Signing in…',
        `<meta name="acrbot-page" content="signin"><meta name="acrbot-token" content="${escapeHtml(token)}"><meta name="acrbot-next" content="${escapeHtml(next)}">`,
        `<p class="status">Signing in as ${escapeHtml(this.options.users.find((u) => u.key === user)!.name)}…</p>`,
      ),
    };
  }

  private chooser(unknown: string, next: string): string {
    const items = this.options.users
      .map(
        (u) =>
          `<li><a href="/tabs/sandbox-signin?user=${encodeURIComponent(u.key)}&amp;next=${encodeURIComponent(next)}">${escapeHtml(u.name)}</a> (<code>${escapeHtml(u.key)}</code>)</li>`,
      )
      .join('');
    const problem = unknown
      ? `<p role="alert">There is no sandbox user “${escapeHtml(unknown.slice(0, 40))}”.</p>`
      : '';
    return page(
      'Sandbox sign-in',
      '<meta name="acrbot-page" content="chooser">',
      `<h1>acrbot sandbox sign-in</h1>${problem}<p>Sign in to the tab as one of the seeded people:</p><ul>${items}</ul>`,
    );
  }

  private token(user: string): Promise<string> {
    const body = new URLSearchParams({
      grant_type: SANDBOX_USER_GRANT,
      client_id: this.options.clientId,
      scope: `${this.options.resource}/access_as_user`,
      user,
    }).toString();
    return new Promise((resolve, reject) => {
      const req = request(
        this.options.tokenEndpoint,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
          ...(this.options.caPem ? { ca: this.options.caPem } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            // Thrown here it would escape the promise (an event handler) and end the process:
            // an answer that is not JSON (a proxy's HTML page, a wrong endpoint) is refused instead.
            let parsed: { access_token?: string; error?: string };
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as typeof parsed;
            } catch (err) {
              const type = res.headers['content-type'] ?? 'no content type';
              reject(new Error(`sandbox issuer answered ${res.statusCode} with no JSON (${type})`, { cause: err }));
              return;
            }
            if (res.statusCode === 200 && parsed.access_token) resolve(parsed.access_token);
            else reject(new Error(`sandbox issuer answered ${res.statusCode} ${parsed.error ?? ''}`));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

function page(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${head}<title>acrbot · ${escapeHtml(title)}</title><link rel="stylesheet" href="/tabs/assets/app.css">
<script src="/tabs/assets/app.js" defer></script></head>
<body class="theme-default"><main id="app">${body}</main></body></html>
`;
}
