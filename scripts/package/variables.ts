/**
 * Fills `${{NAME}}` placeholders in the Teams manifest template from the environment, the way
 * Teams Toolkit does, so one template serves every deployment. Only string values of the
 * parsed JSON are filled (never the raw text), so a value with a quote cannot break the JSON.
 */

/** A GUID in the 8-4-4-4-12 form that Azure and Teams print (any version, either case). */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A host name (no scheme, port or path), as Teams expects in `validDomains`. */
const HOST_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Inputs for {@link resolveManifestVariables}. */
export interface ResolveVariablesOptions {
  /** Usually `process.env`. */
  env: Record<string, string | undefined>;
  /** Version used when `APP_VERSION` is not set (the package.json version). */
  defaultVersion: string;
}

/**
 * The result: values to fill (with `warnings`, lines to show whoever builds the package), or every
 * problem found (all at once, so one run fixes all).
 */
export type ResolvedVariables =
  { ok: true; values: Record<string, string>; warnings: string[] } | { ok: false; problems: string[] };

/** The links Teams shows in the app's details, and what each is. */
const LINK_VARIABLES = [
  ['ACRBOT_WEBSITE_URL', 'website'],
  ['ACRBOT_PRIVACY_URL', 'privacy'],
  ['ACRBOT_TERMS_URL', 'terms of use'],
] as const;

const nonEmpty = (v: string | undefined): string | undefined => (v && v.trim() !== '' ? v.trim() : undefined);

/**
 * Works out every placeholder value from the environment.
 *
 * - `BOT_ID` (or `MicrosoftAppId`, the name the bot itself reads): required, a GUID. It is the
 *   Azure Bot's app id — with `UserAssignedMSI` the managed identity's client id.
 * - `BOT_DOMAIN`: required, the host the bot is served from (e.g. `acrbot-x.azurewebsites.net`).
 * - `TAB_APP_ID`: optional, a GUID; the Entra app registration the tabs' single sign-on tokens are
 *   for (`webApplicationInfo`, the bot's `ACRBOT_TAB_APP_ID`). Without it the package has no tabs,
 *   as the server offers none without ACRBOT_TAB_APP_ID. A bot with an app registration of its own
 *   may name it (`TAB_APP_ID=$BOT_ID`); a managed identity (UserAssignedMSI) has none.
 * - `APP_VERSION`: optional, defaults to the package.json version.
 * - `ACRBOT_DEVELOPER_NAME`, `ACRBOT_WEBSITE_URL`, `ACRBOT_PRIVACY_URL`, `ACRBOT_TERMS_URL`:
 *   optional; the privacy and terms URLs default to the website, and that to
 *   `https://<BOT_DOMAIN>/`. acrbot serves no page there (a 404), so a link left to that default
 *   gets a warning: the package is still built (Teams accepts it), but people who open the
 *   app's privacy or terms link find nothing.
 */
export function resolveManifestVariables({ env, defaultVersion }: ResolveVariablesOptions): ResolvedVariables {
  const problems: string[] = [];
  const missing: string[] = [];

  const botId = nonEmpty(env.BOT_ID) ?? nonEmpty(env.MicrosoftAppId);
  if (!botId) missing.push('BOT_ID (or MicrosoftAppId): the Azure Bot app id, a GUID');
  else if (!GUID_PATTERN.test(botId)) {
    problems.push(
      `BOT_ID must be a GUID like 00000000-0000-0000-0000-000000000000 (the bot's Microsoft App ID), got '${botId}'`,
    );
  }

  const botDomain = nonEmpty(env.BOT_DOMAIN);
  if (!botDomain)
    missing.push('BOT_DOMAIN: the host name the bot is served from, e.g. acrbot-abc123.azurewebsites.net');
  else if (!HOST_PATTERN.test(botDomain)) {
    problems.push(`BOT_DOMAIN must be a bare host name without scheme, port or path, got '${botDomain}'`);
  }

  const tabAppId = nonEmpty(env.TAB_APP_ID);
  if (tabAppId && !GUID_PATTERN.test(tabAppId))
    problems.push(
      `TAB_APP_ID must be a GUID like 00000000-0000-0000-0000-000000000000 (the tab's app registration), got '${tabAppId}'`,
    );

  if (missing.length > 0) problems.unshift(`missing environment variables:\n  - ${missing.join('\n  - ')}`);
  if (problems.length > 0) return { ok: false, problems };

  const website = nonEmpty(env.ACRBOT_WEBSITE_URL) ?? `https://${botDomain}/`;
  const atBotHost = nonEmpty(env.ACRBOT_WEBSITE_URL)
    ? []
    : LINK_VARIABLES.filter(([name]) => name === 'ACRBOT_WEBSITE_URL' || !nonEmpty(env[name]));
  const warnings =
    atBotHost.length === 0
      ? []
      : [
          `${atBotHost.map(([name]) => name).join(', ')} not set: the app's ${atBotHost.map(([, what]) => what).join(', ')} ` +
            `link${atBotHost.length > 1 ? 's point' : ' points'} at ${website}, where acrbot serves no page. ` +
            `Set ${atBotHost.length > 1 ? 'them' : 'it'} to your organisation's pages (docs/deploy.md "Package and install the Teams app").`,
        ];
  return {
    ok: true,
    warnings,
    values: {
      BOT_ID: botId!.toLowerCase(),
      BOT_DOMAIN: botDomain!.toLowerCase(),
      ...(tabAppId && { TAB_APP_ID: tabAppId.toLowerCase() }),
      APP_VERSION: nonEmpty(env.APP_VERSION) ?? defaultVersion,
      ACRBOT_DEVELOPER_NAME: nonEmpty(env.ACRBOT_DEVELOPER_NAME) ?? 'acrbot',
      ACRBOT_WEBSITE_URL: website,
      ACRBOT_PRIVACY_URL: nonEmpty(env.ACRBOT_PRIVACY_URL) ?? website,
      ACRBOT_TERMS_URL: nonEmpty(env.ACRBOT_TERMS_URL) ?? website,
    },
  };
}

/**
 * Replaces `${{NAME}}` in every string of a parsed JSON value. Returns the filled copy and the
 * names that had no value (the caller turns those into an error).
 */
export function fillPlaceholders<T>(value: T, values: Record<string, string>): { filled: T; unknown: string[] } {
  const unknown = new Set<string>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v.replace(PLACEHOLDER, (whole, name: string) => {
        if (name in values) return values[name];
        unknown.add(name);
        return whole;
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { filled: walk(value) as T, unknown: [...unknown].sort() };
}
