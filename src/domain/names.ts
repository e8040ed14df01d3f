/**
 * Name rules for what users type. Names are validated before any Azure call and resolved
 * through ARM, never concatenated into URLs (G10).
 */
import { CLOSING_MARKS, hasQuote } from './copied-marks';
import { isUserFacing, UserFacingError } from './errors';
import { isGuid } from './identifiers';
import { parseResourceId } from './resource-id';
import { singleLine, withoutTrailing } from './text';

/** How the user named a cluster. */
export type ClusterRef =
  | { kind: 'name'; name: string }
  | { kind: 'groupAndName'; resourceGroup: string; name: string }
  | { kind: 'id'; subscriptionId: string; resourceGroup: string; name: string };

/**
 * How the user named a registry. `loginServer`: its login server (`contosoacr.azurecr.io`), lower
 * case, which people copy from image references; found by the login server ARM reports, since one
 * with a domain name label scope (`sharedacr-b7c1.azurecr.io`) does not spell the name.
 */
export type RegistryRef =
  | { kind: 'name'; name: string }
  | { kind: 'loginServer'; loginServer: string }
  | { kind: 'id'; subscriptionId: string; resourceGroup: string; name: string };

const REGISTRY_NAME = /^[a-zA-Z0-9]{5,50}$/;
/** The domains of ACR login servers: Azure's public cloud, Azure China, Azure US Government. */
const LOGIN_SERVER_DOMAIN = /\.azurecr\.(?:io|cn|us)$/i;
/**
 * A login server's first label: the registry's name, then with a domain name label scope `-` and
 * a hash; at most 63 characters, as any DNS label.
 */
const LOGIN_SERVER_LABEL = /^[a-zA-Z0-9]{5,50}(?:-[a-zA-Z0-9]{1,32})?$/;
const DNS_LABEL_MAX = 63;
/** What may follow a login server in an image reference (`/repo:tag`): ignored, but on one line. */
const IMAGE_PATH = /^(?:\/[^\s\p{C}]*)?$/u;
/** AKS: 1–63 letters, digits, `-` and `_`, starting and ending with a letter or digit. */
const CLUSTER_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?$/;
/**
 * Resource groups: 1–90 letters, digits, `_`, `-`, `.`, `(`, `)`; not ending in `.`. Letters and
 * digits as Azure counts them (.NET's Char.IsLetterOrDigit: every letter, and decimal digits),
 * not ASCII only: ARM holds groups such as `rg-münchen`, and the policy's patterns may name
 * them ({@link NAME_CHARACTER}), so a user must be able to name them too. Length in characters
 * (code points), the looser count: refusing a group Azure holds is worse than looking one up
 * that cannot exist.
 */
const RESOURCE_GROUP = /^[\p{L}\p{Nd}_().-]{0,89}[\p{L}\p{Nd}_()-]$/u;

/** Characters of a refused value its error quotes; longer ones are cut to {@link QUOTED_CUT} and "…". */
const QUOTED_MAX = 60;
const QUOTED_CUT = 57;

/**
 * The error for a refused name. It quotes the value, which is user text shown on a card: on one
 * line ({@link singleLine}: a newline in it would let it forge lines such as "Approved by …"),
 * cut by code point so no character is cut in half.
 */
function invalid(what: string, value: string, rule: string): UserFacingError {
  const line = singleLine(value);
  const chars = [...line];
  // Cleaned again after a cut: it may leave a joiner at the end, which then joins nothing.
  const shown = chars.length > QUOTED_MAX ? `${singleLine(chars.slice(0, QUOTED_CUT).join(''))}…` : line;
  return new UserFacingError('validation.name', `"${shown}" is not a valid ${what}: ${rule}`);
}

/** At most this many marks after a name ({@link CLOSING_MARKS}) are told as such: a longer run is no sentence's end (and is not quoted whole). */
const SENTENCE_END_MAX = 4;

/**
 * `name` when it fits `pattern`; else the validation error naming `what` and its `rule`. A name
 * that fits once a sentence's punctuation after it is taken off ("contosoacr." from a card's
 * "…: @acrbot check aks-prod contosoacr.", copied with its full stop) is told that, not the
 * rule it already keeps; as with a request id (request-id-word.ts), it is not read as the name.
 */
function checked(name: string, pattern: RegExp, what: string, rule: string): string {
  if (pattern.test(name)) return name;
  const bare = withoutTrailing(name, CLOSING_MARKS);
  const marks = name.slice(bare.length);
  if (marks && marks.length <= SENTENCE_END_MAX && pattern.test(bare))
    throw invalid(
      what,
      name,
      `${hasQuote(marks) ? 'the quotes and punctuation' : `the "${marks}"`} after it ${hasQuote(marks) ? 'are' : 'is'} not part of it; the name is "${bare}".`,
    );
  throw invalid(what, name, rule);
}

/**
 * Validates a registry name (5–50 letters and digits). Its rule names the other forms a registry
 * may be given in ({@link parseRegistryRef}): its login server, as copied from an image
 * reference, and its resource id.
 */
export function checkRegistryName(name: string): string {
  return checked(
    name,
    REGISTRY_NAME,
    'registry name',
    "use 5–50 letters and digits, e.g. contosoacr, its login server (NAME.azurecr.io, e.g. contosoacr.azurecr.io), or the registry's full resource id.",
  );
}

/** Validates an AKS cluster name. */
export function checkClusterName(name: string): string {
  return checked(
    name,
    CLUSTER_NAME,
    'cluster name',
    'use 1–63 letters, digits, hyphens and underscores, starting and ending with a letter or digit (e.g. aks-prod), "resourceGroup/name", or the full resource id.',
  );
}

/**
 * Validates a resource group name; answers it in NFC. Its letters may be any script's
 * ({@link RESOURCE_GROUP}), and "rg-équipe" typed with "e" and a combining accent (macOS, some
 * keyboards) has a mark the pattern refuses: it is the group Azure holds in one character.
 */
export function checkResourceGroup(name: string): string {
  const typed = name.normalize('NFC');
  if (!RESOURCE_GROUP.test(typed) || typed.includes('..')) {
    throw invalid('resource group', typed, 'use 1–90 letters, digits, "_", "-", ".", "(", ")", not ending in ".".');
  }
  return typed;
}

function checkSubscription(id: string): string {
  if (!isGuid(id)) throw invalid('subscription id', id, 'a subscription id is a GUID.');
  return id;
}

function emptyError(what: string, example: string): UserFacingError {
  return new UserFacingError('validation.empty', `The ${what} is missing: give its name, e.g. ${example}.`);
}

/** Parses `name`, `resourceGroup/name` or a full AKS resource id. */
export function parseClusterRef(input: string): ClusterRef {
  const text = input.trim();
  if (!text) throw emptyError('cluster', 'aks-prod');
  if (text.includes('..') || text.includes('#'))
    throw invalid(
      'cluster',
      text,
      '".." and "#" are never part of a name; use name, resourceGroup/name, or the full resource id.',
    );
  if (text.startsWith('/')) {
    const id = parseResourceId(text);
    if (
      !id ||
      id.provider.toLowerCase() !== 'microsoft.containerservice' ||
      id.type.toLowerCase() !== 'managedclusters'
    ) {
      throw invalid(
        'AKS resource id',
        text,
        'expected /subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/Microsoft.ContainerService/managedClusters/NAME.',
      );
    }
    return {
      kind: 'id',
      subscriptionId: checkSubscription(id.subscriptionId),
      resourceGroup: checkResourceGroup(id.resourceGroup),
      name: checkClusterName(id.name),
    };
  }
  const parts = text.split('/');
  if (parts.length === 2)
    return { kind: 'groupAndName', resourceGroup: checkResourceGroup(parts[0]), name: checkClusterName(parts[1]) };
  if (parts.length > 2) throw invalid('cluster', text, 'use name, resourceGroup/name, or the full resource id.');
  return { kind: 'name', name: checkClusterName(text) };
}

/** Parses a registry name, login server or full ACR resource id. */
export function parseRegistryRef(input: string): RegistryRef {
  const text = input.trim();
  if (!text) throw emptyError('registry', 'contosoacr');
  if (text.startsWith('/')) {
    const id = parseResourceId(text);
    if (!id || id.provider.toLowerCase() !== 'microsoft.containerregistry' || id.type.toLowerCase() !== 'registries') {
      throw invalid(
        'ACR resource id',
        text,
        'expected /subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/Microsoft.ContainerRegistry/registries/NAME.',
      );
    }
    return {
      kind: 'id',
      subscriptionId: checkSubscription(id.subscriptionId),
      resourceGroup: checkResourceGroup(id.resourceGroup),
      name: checkRegistryName(id.name),
    };
  }
  const loginServer = loginServerOf(text);
  if (loginServer !== undefined) return { kind: 'loginServer', loginServer };
  return { kind: 'name', name: checkRegistryName(text) };
}

/**
 * Whether `text`'s host (after any `https://`, before any image path) is on an ACR domain
 * (`.azurecr.io`, `.azurecr.cn`, `.azurecr.us`): it names a registry, whether or not its login
 * server is well formed, so a command that takes a cluster or a registry (`access NAME`) reads it
 * as a registry and refuses a malformed one by the registry's rule, not a cluster's.
 */
export function onLoginServerDomain(text: string): boolean {
  return LOGIN_SERVER_DOMAIN.test(hostOf(text.trim()));
}

/** The host of a login server as typed: without `https://` or `http://`, and before any `/`. */
function hostOf(text: string): string {
  const address = text.replace(/^https?:\/\//i, '');
  const slash = address.indexOf('/');
  return slash < 0 ? address : address.slice(0, slash);
}

/**
 * The login server `text` names, lower case, without the `https://` or `http://` and the image
 * path (`/repo:tag`) people copy with it; undefined when its host is not on an ACR domain (then it
 * is read as a name). On an ACR domain, a host that cannot be a registry's is refused here.
 */
function loginServerOf(text: string): string | undefined {
  const address = text.replace(/^https?:\/\//i, '');
  const host = hostOf(text);
  const domain = LOGIN_SERVER_DOMAIN.exec(host);
  if (!domain) return undefined;
  const label = host.slice(0, domain.index);
  if (!LOGIN_SERVER_LABEL.test(label) || label.length > DNS_LABEL_MAX || !IMAGE_PATH.test(address.slice(host.length)))
    throw invalid(
      'registry login server',
      text,
      "a login server is the registry's name (and, with a domain name label scope, a hyphen and a hash) and then .azurecr.io, .azurecr.cn or .azurecr.us, e.g. contosoacr.azurecr.io; or use the registry's name, e.g. contosoacr.",
    );
  return host.toLowerCase();
}

/** Human form of a cluster reference, for messages. */
export function describeClusterRef(ref: ClusterRef): string {
  return ref.kind === 'name' ? ref.name : `${ref.resourceGroup}/${ref.name}`;
}

/**
 * The characters each kind of name acrbot compares holds, one character each (as the rules
 * above and Azure's naming rules say): what a policy pattern on that name may use besides its
 * `*` and `?` (config/policy-file.ts refuses any other, since such a pattern could never fit).
 * Patterns are compared without regard to case, so both cases count everywhere. Resource groups
 * also hold non-ASCII letters and digits in Azure (Char.IsLetterOrDigit), which ARM reports and a
 * pattern may therefore name; subscriptions are compared by id, a GUID; Kubernetes namespaces are
 * DNS labels (as secret-options.ts checks them).
 */
export const NAME_CHARACTER = {
  registry: /^[a-zA-Z0-9]$/,
  cluster: /^[a-zA-Z0-9_-]$/,
  resourceGroup: /^[\p{L}\p{Nd}_().-]$/u,
  subscriptionId: /^[0-9a-fA-F-]$/,
  namespace: /^[a-zA-Z0-9-]$/,
} as const satisfies Record<string, RegExp>;

/**
 * How long each kind of name acrbot compares is, in characters, as the rules above and Azure's
 * naming rules say: a policy pattern that fits only longer (or, without `*`, only shorter) text
 * can never fit (config/policy-name-patterns.ts refuses it). Registries 5–50, AKS clusters 1–63,
 * resource groups 1–90, subscription ids are GUIDs (36), Kubernetes namespaces DNS labels (1–63).
 */
export const NAME_LENGTH = {
  registry: { min: 5, max: 50 },
  cluster: { min: 1, max: 63 },
  resourceGroup: { min: 1, max: 90 },
  subscriptionId: { min: 36, max: 36 },
  namespace: { min: 1, max: 63 },
} as const satisfies Record<keyof typeof NAME_CHARACTER, { min: number; max: number }>;

/**
 * Whether `word` is a cluster reference ({@link parseClusterRef}) or, with `registry`, a registry
 * reference ({@link parseRegistryRef}) by its form alone: no lookup, so a word like "needed" is
 * one. A refusal of the form is false; any other error is thrown.
 */
export function isNameOf(kind: 'cluster' | 'registry', word: string | undefined): boolean {
  if (!word) return false;
  try {
    if (kind === 'cluster') parseClusterRef(word);
    else parseRegistryRef(word);
    return true;
  } catch (err) {
    if (isUserFacing(err)) return false;
    throw err;
  }
}
