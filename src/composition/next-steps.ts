/**
 * What a newcomer sees after `npm start` in sandbox mode: how to talk to the bot and which
 * names the sandbox knows. Written to stderr as plain text, so the JSON log on stdout stays
 * one object per line. The fixtures are loaded here, lazily: only the composition root may
 * load the sandbox (scripts/check-layers.js).
 */
import type * as FixturesModule from '../sandbox/fixtures';

/** The next steps for a sandbox bot listening at `url`. */
export function nextStepsText(url: string): string {
  const { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, SANDBOX_USERS } =
    require('../sandbox/fixtures') as typeof FixturesModule;
  // One name per line of the list, even where two subscriptions hold a registry of the same name.
  const names = (o: Record<string, { name: string }>) => [...new Set(Object.values(o).map((v) => v.name))].join(', ');
  return [
    '',
    `acrbot is listening on ${url}/api/messages in sandbox mode: emulated Azure, nothing real changes.`,
    'Next: stop it (Ctrl+C) and run `npm run playground`, which starts this bot together with',
    'Microsoft 365 Agents Playground (a local Teams client) and prints an address per person to open.',
    `There, as ${SANDBOX_USERS.requester.name}: @acrbot grant aks-prod contosoacr deploy payments-api`,
    `and approve it as ${SANDBOX_USERS.approver.name}. "@acrbot help" lists every command.`,
    `Seeded clusters: ${names(SANDBOX_CLUSTERS)}`,
    `Seeded registries: ${names(SANDBOX_REGISTRIES)}`,
    `People: ${SANDBOX_USERS.requester.name} (requester), ${SANDBOX_USERS.approver.name} (approver), ${SANDBOX_USERS.outsider.name} (neither)`,
    '',
  ].join('\n');
}
