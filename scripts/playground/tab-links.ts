/**
 * The Teams tab's sandbox sign-in links for the bot `npm run playground` started: the Playground
 * cannot host tabs (no manifest, no SSO), and its bot listens on a random port, so the links are
 * printed with that port (the README's 3978 is `npm start`'s).
 */

/** One line per seeded user: who, and the link that signs them in to their tab page. */
export function tabLinkLines(botEndpoint: string): string[] {
  const origin = new URL(botEndpoint).origin;
  const link = (user: string, next: string) =>
    `${origin}/tabs/sandbox-signin?user=${user}&next=${encodeURIComponent(next)}`;
  return [
    `  Tab as Riley (own requests):      ${link('requester', '/tabs/personal')}`,
    `  Tab as Alex (access matrix):      ${link('approver', '/tabs/matrix')}`,
  ];
}
