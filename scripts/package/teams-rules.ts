/**
 * Teams rules the JSON schema does not express (or expresses more loosely than Teams'
 * upload validation): icon sizes and transparency, `id` = `botId`, command list limits, the
 * semver `version`, field lengths. Each check returns readable problems instead of throwing,
 * so one packaging run reports everything at once.
 */
import { decodePng, readPngHeader } from './png';
import { GUID_PATTERN } from './variables';

/** The parts of a Teams manifest these rules look at. Everything is optional: a broken manifest must produce problems, not crashes. */
export interface TeamsManifestLike {
  $schema?: string;
  manifestVersion?: string;
  version?: string;
  id?: string;
  developer?: { name?: string; websiteUrl?: string; privacyUrl?: string; termsOfUseUrl?: string };
  name?: { short?: string; full?: string };
  description?: { short?: string; full?: string };
  icons?: { color?: string; outline?: string };
  accentColor?: string;
  bots?: Array<{
    botId?: string;
    scopes?: string[];
    commandLists?: Array<{ scopes?: string[]; commands?: Array<{ title?: string; description?: string }> }>;
  }>;
  validDomains?: string[];
  staticTabs?: Array<{ entityId?: string; name?: string; contentUrl?: string; websiteUrl?: string; scopes?: string[] }>;
  configurableTabs?: Array<{ configurationUrl?: string; scopes?: string[] }>;
  webApplicationInfo?: { id?: string; resource?: string };
}

/** Icon bytes by the file name the manifest uses. */
export type IconFiles = Record<string, Uint8Array | undefined>;

// semver.org 2.0.0 grammar (no leading zeros, optional pre-release and build).
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Limits from the Teams manifest reference and store validation. */
export const TEAMS_LIMITS = {
  developerName: 32,
  nameShort: 30,
  nameFull: 100,
  descriptionShort: 80,
  descriptionFull: 4000,
  commandLists: 3,
  commandsPerList: 10,
  commandTitle: 32,
  commandDescription: 128,
  validDomains: 16,
} as const;

const BOT_SCOPES = new Set(['personal', 'team', 'groupChat']);

function maxLength(problems: string[], field: string, value: string | undefined, limit: number, required = true): void {
  if (value === undefined || value === '') {
    if (required) problems.push(`${field} is required`);
  } else if ([...value].length > limit) {
    problems.push(`${field} is ${[...value].length} characters; Teams allows at most ${limit}`);
  }
}

/** Checks the fields of the manifest itself (no files). */
export function checkManifestFields(m: TeamsManifestLike): string[] {
  const problems: string[] = [];
  const text = JSON.stringify(m);
  const left = text.match(/\$\{\{[^}]*\}\}/g);
  if (left) problems.push(`unfilled placeholders remain: ${[...new Set(left)].join(', ')}`);

  if (!m.id || !GUID_PATTERN.test(m.id)) problems.push(`id must be a GUID, got '${m.id ?? ''}'`);
  if (!m.version || !SEMVER.test(m.version))
    problems.push(`version must be semver (e.g. 1.2.3), got '${m.version ?? ''}'`);
  if (m.$schema && m.manifestVersion && !m.$schema.includes(`/v${m.manifestVersion}/`)) {
    problems.push(`$schema (${m.$schema}) does not match manifestVersion ${m.manifestVersion}`);
  }
  maxLength(problems, 'developer.name', m.developer?.name, TEAMS_LIMITS.developerName);
  for (const key of ['websiteUrl', 'privacyUrl', 'termsOfUseUrl'] as const) {
    const url = m.developer?.[key];
    if (!url || !/^https:\/\/[^\s/]+/.test(url))
      problems.push(`developer.${key} must be an https:// URL, got '${url ?? ''}'`);
  }
  maxLength(problems, 'name.short', m.name?.short, TEAMS_LIMITS.nameShort);
  maxLength(problems, 'name.full', m.name?.full, TEAMS_LIMITS.nameFull, false);
  maxLength(problems, 'description.short', m.description?.short, TEAMS_LIMITS.descriptionShort);
  maxLength(problems, 'description.full', m.description?.full, TEAMS_LIMITS.descriptionFull);
  if (!m.accentColor || !/^#[0-9a-fA-F]{6}$/.test(m.accentColor))
    problems.push(`accentColor must be #RRGGBB, got '${m.accentColor ?? ''}'`);

  const bots = m.bots ?? [];
  if (bots.length !== 1) problems.push(`expected exactly one bot, found ${bots.length}`);
  for (const bot of bots) {
    // Teams matches incoming activities to the app by botId; a different app id makes the
    // uploaded app a second, unrelated registration.
    if (bot.botId !== m.id) problems.push(`bots[0].botId (${bot.botId ?? ''}) must equal id (${m.id ?? ''})`);
    for (const s of bot.scopes ?? []) if (!BOT_SCOPES.has(s)) problems.push(`unknown bot scope '${s}'`);
    const lists = bot.commandLists ?? [];
    if (lists.length > TEAMS_LIMITS.commandLists)
      problems.push(`${lists.length} command lists; Teams allows ${TEAMS_LIMITS.commandLists}`);
    lists.forEach((list, i) => {
      const commands = list.commands ?? [];
      if (commands.length > TEAMS_LIMITS.commandsPerList) {
        problems.push(
          `commandLists[${i}] has ${commands.length} commands; Teams shows at most ${TEAMS_LIMITS.commandsPerList}`,
        );
      }
      const seen = new Set<string>();
      for (const c of commands) {
        maxLength(problems, `command '${c.title ?? ''}' title`, c.title, TEAMS_LIMITS.commandTitle);
        maxLength(problems, `command '${c.title ?? ''}' description`, c.description, TEAMS_LIMITS.commandDescription);
        if (c.title && seen.has(c.title.toLowerCase()))
          problems.push(`command '${c.title}' is listed twice in commandLists[${i}]`);
        if (c.title) seen.add(c.title.toLowerCase());
      }
      for (const s of list.scopes ?? []) {
        if (!(bot.scopes ?? []).includes(s))
          problems.push(`commandLists[${i}] scope '${s}' is not one of the bot's scopes`);
      }
    });
  }

  const domains = m.validDomains ?? [];
  if (domains.length > TEAMS_LIMITS.validDomains)
    problems.push(`${domains.length} validDomains; Teams allows ${TEAMS_LIMITS.validDomains}`);
  for (const d of domains)
    if (/^[a-z]+:\/\/|\//i.test(d))
      problems.push(`validDomains entry '${d}' must be a host name, without scheme or path`);
  problems.push(...checkTabs(m));
  return problems;
}

/**
 * Tabs and SSO: every tab URL is https on one of `validDomains` (Teams refuses to load others),
 * and `webApplicationInfo` names this app with the Application ID URI `api://<domain>/<id>` whose
 * domain is where the tabs are served (getAuthToken() fails otherwise).
 */
export function checkTabs(m: TeamsManifestLike): string[] {
  const problems: string[] = [];
  const domains = (m.validDomains ?? []).map((d) => d.toLowerCase());
  const urls: Array<[string, string | undefined]> = [
    ...(m.staticTabs ?? []).flatMap((t, i): Array<[string, string | undefined]> =>
      // The built-in chat and about tabs have no URL.
      t.entityId === 'conversations' || t.entityId === 'about'
        ? []
        : [
            [`staticTabs[${i}].contentUrl`, t.contentUrl],
            ...(t.websiteUrl ? [[`staticTabs[${i}].websiteUrl`, t.websiteUrl] as [string, string]] : []),
          ],
    ),
    ...(m.configurableTabs ?? []).map((t, i): [string, string | undefined] => [
      `configurableTabs[${i}].configurationUrl`,
      t.configurationUrl,
    ]),
  ];
  for (const [field, url] of urls) {
    const host = /^https:\/\/([^/:?#]+)/i.exec(url ?? '')?.[1]?.toLowerCase();
    if (!host) problems.push(`${field} must be an https:// URL, got '${url ?? ''}'`);
    else if (!domains.includes(host)) problems.push(`${field} host '${host}' is not in validDomains`);
  }
  if (urls.length > 0) {
    const w = m.webApplicationInfo;
    // The id is the app registration the tokens are for: the bot's own, or (a managed-identity
    // bot has none) one registered for the tab; the resource is that app's Application ID URI.
    if (!w?.id) problems.push('webApplicationInfo.id is required for tab single sign-on');
    const res = /^api:\/\/([^/]+)\/(?:botid-)?([0-9a-f-]{36})$/i.exec(w?.resource ?? '');
    if (!res) problems.push(`webApplicationInfo.resource must be api://<domain>/<app id>, got '${w?.resource ?? ''}'`);
    else {
      if (!domains.includes(res[1]!.toLowerCase()))
        problems.push(`webApplicationInfo.resource domain '${res[1]}' is not in validDomains`);
      if (w?.id && res[2]!.toLowerCase() !== w.id.toLowerCase())
        problems.push(`webApplicationInfo.resource names app ${res[2]}, not webApplicationInfo.id (${w.id})`);
    }
  }
  return problems;
}

/**
 * Checks the two icons: PNG, exact sizes, and for the outline icon a transparent background
 * with only white pixels (Teams renders it tinted on its own backgrounds).
 */
export function checkIcons(m: TeamsManifestLike, files: IconFiles): string[] {
  const problems: string[] = [];
  const expect: Array<[string, string | undefined, number]> = [
    ['color', m.icons?.color, 192],
    ['outline', m.icons?.outline, 32],
  ];
  for (const [kind, name, size] of expect) {
    if (!name) {
      problems.push(`icons.${kind} is required`);
      continue;
    }
    const bytes = files[name];
    if (!bytes) {
      problems.push(`icons.${kind} file '${name}' not found`);
      continue;
    }
    let header;
    try {
      header = readPngHeader(bytes);
    } catch (e) {
      problems.push(`icons.${kind} '${name}': ${(e as Error).message}`);
      continue;
    }
    if (header.width !== size || header.height !== size) {
      problems.push(`icons.${kind} '${name}' is ${header.width}×${header.height}; Teams requires ${size}×${size}`);
    }
    if (kind === 'outline') problems.push(...checkOutlinePixels(name, bytes));
  }
  return problems;
}

function checkOutlinePixels(name: string, bytes: Uint8Array): string[] {
  const img = decodePng(bytes);
  let transparent = 0;
  let coloured = 0;
  let opaque = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const a = img.data[i + 3];
    if (a === 0) {
      transparent++;
      continue;
    }
    opaque++;
    if (img.data[i] !== 255 || img.data[i + 1] !== 255 || img.data[i + 2] !== 255) coloured++;
  }
  const problems: string[] = [];
  if (transparent === 0)
    problems.push(`icons.outline '${name}' has no transparent pixels; the background must be transparent`);
  if (coloured > 0) problems.push(`icons.outline '${name}' has ${coloured} non-white pixels; use white (#FFFFFF) only`);
  if (opaque === 0) problems.push(`icons.outline '${name}' is empty`);
  return problems;
}
