/**
 * Options of the secret flow, validated: Kubernetes names (DNS-1123), credential kind,
 * expiry within the configured maximum, repository names.
 */
import { describeDurationMs } from './access-term';
import { UserFacingError } from './errors';
import type { SecretCommandOptions } from './command';
import type { SecretCredentialKind } from './plan';
import { cutText } from './text';

/** Validated secret options with defaults applied. */
export interface SecretOptions {
  namespace: string;
  secretName: string;
  kind: SecretCredentialKind;
  serviceAccount?: string;
  expiresInMs: number;
  repositories: string[];
}

/** Defaults: namespace `default`, secret `acr-auth`, kind `token`, 90 days. */
export const SECRET_DEFAULTS = {
  namespace: 'default',
  secretName: 'acr-auth',
  kind: 'token' as const,
  expiresInMs: 90 * 86_400_000,
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/**
 * Repository names as ACR takes them (the OCI distribution spec's `<name>`): `/`-separated
 * lowercase components of letters and digits joined by `.`, `_`, `__` or dashes (`my__app` and
 * `my--app` are valid). No wildcards: a token names each repository it may pull.
 */
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** ACR's longest repository name; a longer one would be refused by the scope map write, after approval. */
const REPOSITORY_MAX_LENGTH = 256;
const DURATION = /^(\d{1,4})([dhwy])$/i;
const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 365 * 86_400_000 };

function bad(what: string, value: string, rule: string): UserFacingError {
  return new UserFacingError('validation.option', `"${cutText(value, 60)}" is not a valid ${what}: ${rule}`);
}

/** Parses `90d`, `12w`, `1y`, `48h`. */
export function parseExpiry(text: string, maxMs: number): number {
  const m = DURATION.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw bad('expiry', text, 'use a number and a unit, e.g. 30d, 12w, 1y or 48h.');
  const ms = Number(m[1]) * UNIT_MS[m[2].toLowerCase()];
  if (ms > maxMs)
    throw new UserFacingError(
      'validation.option',
      `--expires ${text} is longer than the maximum of ${describeDurationMs(maxMs)}; choose a shorter expiry (credentials should be rotated).`,
    );
  if (ms < 3_600_000) throw bad('expiry', text, 'at least 1h.');
  return ms;
}

/**
 * The repositories of `--repositories`, each once (a name given twice would be one scope map
 * action twice, and count twice against the limit). An empty list means every repository, so a
 * list that names none is refused rather than widened, and so is an empty entry between two
 * names (`a,,b`: a name left out by mistake); a comma at either end is tolerated.
 */
function checkRepositories(text: string | undefined): string[] {
  if (text === undefined) return [];
  const entries = text.split(',').map((r) => r.trim());
  const names = entries.filter(Boolean);
  if (names.length === 0)
    throw new UserFacingError(
      'validation.option',
      '--repositories names no repository: list them separated by commas, e.g. --repositories team/app,team/worker, or leave --repositories out to pull every repository. Nothing was requested.',
    );
  const first = entries.findIndex(Boolean);
  const last = entries.findLastIndex(Boolean);
  if (entries.slice(first, last + 1).some((r) => !r))
    throw new UserFacingError(
      'validation.option',
      `--repositories "${cutText(text, 60)}" has an empty entry between two names: is one missing? List them separated by single commas, e.g. --repositories team/app,team/worker. Nothing was requested.`,
    );
  for (const r of names) {
    if (r.length > REPOSITORY_MAX_LENGTH)
      throw bad('repository', r, `at most ${REPOSITORY_MAX_LENGTH} characters (this one has ${r.length}).`);
    if (r.includes('*'))
      throw bad('repository', r, 'wildcards are not taken; name each repository, e.g. team/app,team/worker.');
    if (!REPOSITORY.test(r)) throw bad('repository', r, 'lowercase path like team/app.');
  }
  return [...new Set(names)];
}

/** Validates the typed options and applies the defaults. */
export function checkSecretOptions(input: SecretCommandOptions, maxExpiryMs: number): SecretOptions {
  const namespace = input.namespace ?? SECRET_DEFAULTS.namespace;
  if (!DNS_LABEL.test(namespace))
    throw bad(
      'namespace',
      namespace,
      'lowercase letters, digits and "-", at most 63 characters (a pull secret must live in the workload\'s namespace).',
    );
  const secretName = input.name ?? SECRET_DEFAULTS.secretName;
  if (!DNS_SUBDOMAIN.test(secretName))
    throw bad('secret name', secretName, 'lowercase letters, digits, "-" and ".", e.g. acr-auth.');
  const kind = (input.kind ?? SECRET_DEFAULTS.kind).toLowerCase();
  if (kind !== 'token' && kind !== 'sp')
    throw bad(
      '--kind',
      input.kind ?? '',
      'use "token" (an ACR repository-scoped token, the default) or "sp" (a service principal).',
    );
  if (input.serviceAccount !== undefined && !DNS_SUBDOMAIN.test(input.serviceAccount))
    throw bad('service account', input.serviceAccount, 'lowercase letters, digits, "-" and ".", e.g. default.');
  const repositories = checkRepositories(input.repositories);
  if (repositories.length > 0 && kind === 'sp')
    throw new UserFacingError(
      'validation.option',
      '--repositories works with --kind token only: a service principal with AcrPull can pull every repository of the registry.',
    );
  if (repositories.length > 20)
    throw new UserFacingError(
      'validation.option',
      'At most 20 repositories per secret; use fewer or leave --repositories out to pull all.',
    );
  const expiresInMs = input.expires
    ? parseExpiry(input.expires, maxExpiryMs)
    : Math.min(SECRET_DEFAULTS.expiresInMs, maxExpiryMs);
  return { namespace, secretName, kind, serviceAccount: input.serviceAccount, expiresInMs, repositories };
}
