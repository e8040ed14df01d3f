/**
 * Turns the text of a chat message (mention already removed) into a command. Only syntax
 * here; names and reasons are validated by the flows so every entry point (text, form,
 * dialog) gives the same errors.
 */
import { UserFacingError } from './errors';

/** Options of the secret flow, as typed (validated later). */
export interface SecretCommandOptions {
  namespace?: string;
  name?: string;
  kind?: string;
  serviceAccount?: string;
  expires?: string;
  repositories?: string;
}

/** A parsed chat command. */
export type Command =
  | { verb: 'help' }
  | { verb: 'grant'; cluster?: string; registry?: string; reason?: string }
  | { verb: 'secret'; cluster?: string; registry?: string; reason?: string; options: SecretCommandOptions }
  | { verb: 'status'; requestId?: string }
  | { verb: 'pending' }
  | { verb: 'audit'; argument?: string }
  | { verb: 'cancel' }
  /** `access` (own), `access NAME`, `access cluster NAME`, `access registry NAME`. */
  | { verb: 'access'; target?: string; kind?: 'cluster' | 'registry' }
  | { verb: 'check'; cluster?: string; registry?: string }
  | { verb: 'unknown'; word: string };

/**
 * Every verb with a one-line usage and an example; `help` is built from it. Placeholders are
 * UPPERCASE, not `<angle brackets>`, which Teams' markdown drops as HTML.
 */
export const COMMAND_HELP: ReadonlyArray<{ verb: string; usage: string; example: string; description: string }> = [
  {
    verb: 'grant',
    usage: 'grant CLUSTER REGISTRY REASON…',
    example: 'grant aks-prod contosoacr deploy payments-api',
    description: "Give a cluster's identity pull access (AcrPull) to a registry, after approval.",
  },
  {
    verb: 'secret',
    usage:
      'secret CLUSTER REGISTRY [--namespace NS] [--name SECRET] [--kind token|sp] [--service-account SA] [--expires 90d] [--repositories A,B] REASON…',
    example: 'secret aks-dev contosoacr --namespace payments pull for payments-api',
    description: 'Create an image pull secret in a namespace from an ACR token (or a service principal).',
  },
  {
    verb: 'status',
    usage: 'status REQUEST-ID',
    example: 'status R-7K2M9QXA',
    description: 'Show a request and its current state.',
  },
  {
    verb: 'pending',
    usage: 'pending',
    example: 'pending',
    description: 'List requests waiting for approval (approvers).',
  },
  {
    verb: 'audit',
    usage: 'audit [N | REQUEST-ID | verify]',
    example: 'audit 20',
    description: 'Read the audit trail or verify its hash chain (approvers and auditors).',
  },
  {
    verb: 'access',
    usage: 'access [CLUSTER | REGISTRY]',
    example: 'access aks-prod',
    description:
      'What a cluster can pull and why, or which clusters can pull from a registry (approvers and auditors); alone: your own grants and secrets.',
  },
  {
    verb: 'check',
    usage: 'check CLUSTER REGISTRY',
    example: 'check aks-prod contosoacr',
    description: 'Why a cluster can or cannot pull from a registry (like az aks check-acr), and the fix.',
  },
  { verb: 'cancel', usage: 'cancel', example: 'cancel', description: 'Stop the question-and-answer in progress.' },
  { verb: 'help', usage: 'help', example: 'help', description: 'List the commands.' },
];

const SECRET_FLAGS: Record<string, keyof SecretCommandOptions> = {
  '--namespace': 'namespace',
  '-n': 'namespace',
  '--name': 'name',
  '--kind': 'kind',
  '--service-account': 'serviceAccount',
  '--expires': 'expires',
  '--repositories': 'repositories',
};

function splitWords(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

function positionals(words: string[]): { cluster?: string; registry?: string; reason?: string } {
  const [cluster, registry, ...rest] = words;
  return { cluster, registry, reason: rest.length ? rest.join(' ') : undefined };
}

function parseSecret(words: string[]): Command {
  const options: SecretCommandOptions = {};
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const [flag, inline] =
      word.includes('=') && word.startsWith('--')
        ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
        : [word, undefined];
    const key = SECRET_FLAGS[flag.toLowerCase()];
    if (key) {
      const value = inline ?? words[++i];
      if (!value || value.startsWith('--')) {
        throw new UserFacingError(
          'validation.option',
          `${flag} needs a value, e.g. ${flag} ${key === 'kind' ? 'token' : key === 'expires' ? '90d' : 'payments'}.`,
        );
      }
      options[key] = value;
    } else if (word.startsWith('--')) {
      throw new UserFacingError(
        'validation.option',
        `Unknown option ${flag}. The secret command takes --namespace, --name, --kind, --service-account, --expires and --repositories.`,
      );
    } else {
      rest.push(word);
    }
  }
  return { verb: 'secret', ...positionals(rest), options };
}

function parseAccess(words: string[]): Command {
  const first = words[0]?.toLowerCase();
  if (first === 'cluster' || first === 'registry') {
    if (!words[1])
      throw new UserFacingError(
        'validation.option',
        `Say which ${first}, e.g. "access ${first} ${first === 'cluster' ? 'aks-prod' : 'contosoacr'}".`,
      );
    return { verb: 'access', kind: first, target: words[1] };
  }
  return { verb: 'access', target: words[0] };
}

/** Parses the text of a message addressed to the bot. */
export function parseCommand(text: string): Command {
  const words = splitWords(text);
  const verb = (words.shift() ?? 'help').toLowerCase();
  switch (verb) {
    case 'help':
    case '?':
      return { verb: 'help' };
    case 'grant':
      return { verb: 'grant', ...positionals(words) };
    case 'secret':
      return parseSecret(words);
    case 'status':
      return { verb: 'status', requestId: words[0] };
    case 'pending':
      return { verb: 'pending' };
    case 'audit':
      return { verb: 'audit', argument: words[0] };
    case 'cancel':
    case 'stop':
      return { verb: 'cancel' };
    case 'access':
      return parseAccess(words);
    case 'check':
      return { verb: 'check', cluster: words[0], registry: words[1] };
    default:
      return { verb: 'unknown', word: verb.slice(0, 40) };
  }
}
