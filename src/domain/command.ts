/**
 * Turns the text of a chat message (mention already removed) into a command. Only syntax
 * here; names and reasons are validated by the flows so every entry point (text, form,
 * dialog) gives the same errors.
 */
import { durationText } from './access-term';
import { leadingEnd, readsAsEnd } from './end-words';
import { UserFacingError } from './errors';
import { isRequestId } from './identifiers';
import { isNameOf, onLoginServerDomain } from './names';
import { mistypedRequestId, readIdWord, withIdDash } from './request-id-word';
import { type PairVerb, swappedNames } from './swapped-names';
import { bare, leadingTerm, leadingUnreadTerm, monthsNote, spelledTerm } from './term-words';
import { cutText, withoutTrailing } from './text';
import { type OtherDigit, unreadDigitIn } from './typed-digits';

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
  /** `about`: the command asked about (`grant help`, `grant --help`, `help grant`); absent: every command. */
  | { verb: 'help'; about?: string }
  | { verb: 'grant'; cluster?: string; registry?: string; reason?: string; duration?: string; breakGlass?: boolean }
  | { verb: 'secret'; cluster?: string; registry?: string; reason?: string; options: SecretCommandOptions }
  | { verb: 'status'; requestId?: string }
  /** With an id: that one request, with Approve and Reject when it waits for this approver. */
  | { verb: 'pending'; requestId?: string }
  | { verb: 'policy'; cluster?: string; registry?: string }
  | { verb: 'audit'; argument?: string }
  /**
   * `cancel` stops the question-and-answer in progress; `cancel REQUEST-ID REASON…` withdraws a
   * pending request, the reason optional (checked by the flow, RequestService.cancel).
   */
  | { verb: 'cancel'; requestId?: string; reason?: string }
  /** `withdraw REQUEST-ID`: the typed Withdraw my approval of a request waiting for its quorum. */
  | { verb: 'withdraw'; requestId: string }
  /**
   * `revoke REQUEST-ID REASON…`, `revoke CLUSTER REGISTRY REASON…`, or `revoke registry NAME
   * REASON…`, the reason optional (`scope` registry: every cluster's requests on it). `scope`
   * cluster: `revoke cluster NAME…`, a form revoke does not take (answered as such, not as a
   * cluster named "cluster").
   */
  | {
      verb: 'revoke';
      requestId?: string;
      cluster?: string;
      registry?: string;
      reason?: string;
      scope?: 'registry' | 'cluster';
    }
  | { verb: 'extend'; requestId?: string; duration?: string; reason?: string }
  /** `access` (own), `access NAME`, `access cluster NAME`, `access registry NAME`. */
  | { verb: 'access'; target?: string; kind?: 'cluster' | 'registry' }
  | { verb: 'check'; cluster?: string; registry?: string }
  /** `pause REASON…` stops new access (approvers); alone: whether it is paused. */
  | { verb: 'pause'; reason?: string }
  | { verb: 'resume'; reason?: string }
  | { verb: 'unknown'; word: string };

/**
 * Every verb with a one-line usage and an example; `help` is built from it. Placeholders are
 * UPPERCASE, not `<angle brackets>`, which Teams' markdown drops as HTML. Options are named after
 * the usage, and optional words are not in `[square brackets]` either (a usage has one form per
 * ` | `, as README writes them): people copy the line, and `[--for 7d]` pasted put the brackets
 * into the names and the reason.
 */
export const COMMAND_HELP: ReadonlyArray<{ verb: string; usage: string; example: string; description: string }> = [
  {
    verb: 'grant',
    usage: 'grant CLUSTER REGISTRY REASON… (options, before the reason: --for 30d, --break-glass)',
    example: 'grant aks-prod contosoacr --for 30d deploy payments-api',
    description:
      "Give a cluster's identity pull access (AcrPull, or Repository Reader on ABAC registries) to a registry, after approval, for a time (e.g. 12h, 30d, 12w; within the limits set for acrbot, 1h to 90d by default); it is revoked by itself when it ends.",
  },
  {
    verb: 'secret',
    usage:
      'secret CLUSTER REGISTRY REASON… (options, before the reason: --namespace NS, --name SECRET, --kind token|sp, --service-account SA, --for 30d, --repositories A,B)',
    example: 'secret aks-dev contosoacr --namespace payments pull for payments-api',
    description:
      'Create an image pull secret in a namespace from an ACR token (or a service principal), for a time; secret and credential are deleted when it ends.',
  },
  {
    verb: 'revoke',
    usage:
      'revoke REQUEST-ID REASON… | revoke CLUSTER REGISTRY REASON… | revoke registry REGISTRY REASON… (the reason optional)',
    example: 'revoke R-7K2M9QXA no longer needed',
    description:
      'End access now: your own at once; approvers may revoke the requests of the rules they approve, or every such acrbot request (grant or pull secret) on a cluster and registry, or on a registry from every cluster.',
  },
  {
    verb: 'extend',
    usage: 'extend REQUEST-ID REASON… (option, before the reason: --for 30d)',
    example: 'extend R-7K2M9QXA --for 30d release still running',
    description: 'Ask to keep access longer; approved like a new request (a secret gets a new credential).',
  },
  {
    verb: 'status',
    usage: 'status | status REQUEST-ID',
    example: 'status R-7K2M9QXA',
    description: 'Show a request and its current state; alone, your newest requests.',
  },
  {
    verb: 'pending',
    usage: 'pending | pending REQUEST-ID',
    example: 'pending',
    description:
      'List requests waiting for approval (approvers); with an id, that request with its Approve and Reject buttons.',
  },
  {
    verb: 'policy',
    usage: 'policy CLUSTER REGISTRY',
    example: 'policy aks-prod contosoacr',
    description: 'Show which approval rule applies and who can approve, before asking.',
  },
  {
    verb: 'audit',
    usage: 'audit N | audit REQUEST-ID | audit verify',
    example: 'audit 20',
    description: 'Read the audit trail or verify its hash chain (approvers and auditors).',
  },
  {
    verb: 'access',
    usage: 'access | access CLUSTER | access REGISTRY',
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
  {
    verb: 'cancel',
    usage: 'cancel REQUEST-ID REASON… | cancel (the reason optional)',
    example: 'cancel R-7K2M9QXA asked for the wrong registry',
    description:
      'Withdraw your own pending request (it can no longer be approved); the reason goes into the audit trail. Alone: stop the question-and-answer in progress.',
  },
  {
    verb: 'withdraw',
    usage: 'withdraw REQUEST-ID',
    example: 'withdraw R-7K2M9QXA',
    description:
      'Take back your approval of a request that needs more approvals, before it has them all (approvers): it stays pending, and you can approve it again. Once approved: revoke.',
  },
  {
    verb: 'pause',
    usage: 'pause REASON… | pause',
    example: 'pause unexpected grants on prod, investigating',
    description:
      'Stop all new access at once, in an incident (approvers): nothing is requested or approved until an approver resumes it; revocations and scheduled ends go on. Alone: whether it is paused.',
  },
  {
    verb: 'resume',
    usage: 'resume | resume REASON…',
    example: 'resume incident closed',
    description: 'Lift the pause on new access (approvers): a card names the pause, and its button lifts it.',
  },
  {
    verb: 'help',
    usage: 'help',
    example: 'help',
    description: 'List the commands; one command\'s usage alone: "help grant" or "grant --help".',
  },
];

const SECRET_FLAGS: Record<string, keyof SecretCommandOptions> = {
  '--namespace': 'namespace',
  '-n': 'namespace',
  '--name': 'name',
  '--kind': 'kind',
  '--service-account': 'serviceAccount',
  '--expires': 'expires',
  '--for': 'expires',
  '--repositories': 'repositories',
};

/**
 * The option a typed flag names, if any. Looked up among the table's own keys only: a plain
 * `SECRET_FLAGS[word]` finds `constructor` and `__proto__` on Object.prototype, so those words
 * in a reason ("fix the constructor bug") would be taken for an option and eat the next word.
 */
function secretFlag(flag: string): keyof SecretCommandOptions | undefined {
  const lower = flag.toLowerCase();
  return Object.hasOwn(SECRET_FLAGS, lower) ? SECRET_FLAGS[lower] : undefined;
}

const DURATION_FLAGS = ['--for', '--expires'];
const REQUEST_ID = /^R-[0-9A-Z]{8}$/i;

/**
 * An option given twice with two values: which one was meant cannot be told, and the last one
 * silently winning (`--for 2h --for 3d` a 3-day grant) is a surprise. The values are the words
 * as typed after the option (a duration, a namespace or account name: no secrets).
 */
function givenTwice(flag: string, first: string, second: string): UserFacingError {
  const shown = (v: string) => `"${cutText(v, 40)}"`;
  return new UserFacingError(
    'validation.option',
    `${flag} was given twice, as ${shown(first)} and ${shown(second)}: give it once. Nothing was done.`,
  );
}

/**
 * `--for2h`, `--for:2h`, `--expires30d`: a term typed without its space (or with a colon). Read as
 * words of the reason, the request would silently get the default term (30 days for `--for2h`).
 * With any digit (`--for²h`, which `--for` does not read, is no reason either).
 */
const DURATION_NEAR_MISS = /^--(for|expires)[:\d\p{Nd}\p{No}]/iu;

/**
 * Refuses a {@link DURATION_NEAR_MISS}, naming the way to write it; nothing is requested. Read
 * with the digits `--for` reads ({@link durationText}): `--for８h` kept as text was a 30-day grant.
 */
function refuseRunTogetherDuration(word: string): void {
  const read = durationText(word);
  const match = DURATION_NEAR_MISS.exec(read);
  if (!match) return;
  const flag = `--${match[1].toLowerCase()}`;
  // By the flag's length, not the match's: a digit past U+FFFF (`𝟖`) is two code units.
  const value = cutText(read.slice(flag.length + (match[0].endsWith(':') ? 1 : 0)), 20) || '30d';
  // `--for²h`: "write --for ²h" would be refused next, as `²` is no digit `--for` reads.
  const other = unreadDigitIn(value);
  throw new UserFacingError(
    'validation.option',
    other
      ? `"${cutText(word, 40)}" is not an option: write ${flag}, a space and the term in digits 0–9 (${other.char} is ${other.kind}), e.g. ${flag} 2h. Nothing was requested.`
      : `"${cutText(word, 40)}" is not an option: write ${flag} ${value}, with a space. Nothing was requested.`,
  );
}

/**
 * `--for 2 weeks`, `--for 7 d`, `--for 14days`: a term in words, which `--for` does not read
 * ("2" is no duration, and "weeks" would be a word of the reason). Refused with the term it
 * spells (`--for 2w`); nothing is requested. `next` is the word after the value.
 */
function refuseSpelledTerm(flag: string, value: string, next: string | undefined): void {
  const spelled = spelledTerm(value, next);
  if (!spelled) return;
  // Both words fit spelledTerm's patterns (digits, a unit word): nothing else of the user's comes back.
  const typed = spelled.count === 2 ? `${value} ${bare(next)}` : value;
  throw new UserFacingError(
    'validation.option',
    `"${flag} ${typed}" is not a term acrbot reads: write ${flag} ${spelled.term}${monthsNote(spelled) || ' (a number and one of m, h, d, w, y, without a space)'}. Nothing was requested.`,
  );
}

/** Pulls `--for D` / `--expires D` (or `--for=D`) out of the words; refused when given twice. */
function takeDuration(words: string[]): { duration?: string; rest: string[] } {
  const rest: string[] = [];
  let duration: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    refuseRunTogetherDuration(word);
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const flag = (eq > 0 ? word.slice(0, eq) : word).toLowerCase();
    if (DURATION_FLAGS.includes(flag)) {
      const value = eq > 0 ? word.slice(eq + 1) : words[++i];
      if (!value || value.startsWith('--'))
        throw new UserFacingError('validation.option', `${flag} needs a value, e.g. ${flag} 30d.`);
      refuseSpelledTerm(flag, value, words[i + 1]);
      if (duration !== undefined && duration !== value) throw givenTwice(flag, duration, value);
      duration = value;
    } else {
      refuseUnknownTermOption(word, words[i + 1]);
      rest.push(word); // other words, even ones starting with --, belong to the reason
    }
  }
  return { duration, rest };
}

/**
 * Options that name the term's unit (`--days 7`): their number, with that unit, is the term
 * `--for` takes (`--for 7d`).
 */
const UNIT_OPTIONS: Readonly<Record<string, string>> = {
  '--minutes': 'm',
  '--hours': 'h',
  '--hour': 'h',
  '--days': 'd',
  '--day': 'd',
  '--weeks': 'w',
  '--week': 'w',
};

/** Options people type for a term that acrbot names `--for`. */
const TERM_LOOKALIKES = [
  '--duration',
  '--ttl',
  '--expiry',
  '--time',
  '--lifetime',
  '--valid-for',
  ...Object.keys(UNIT_OPTIONS),
];

/** Whether an option (as {@link termOrBreakGlassOption} names it) is a term option acrbot does not have (`--duration`). */
export function isTermLookalike(flag: string): boolean {
  return TERM_LOOKALIKES.includes(flag.toLowerCase());
}
/** A term as `--for` takes it: `2h`, `30d`, `12w`, or `permanent`. */
const DURATION_WORD = /^(\d+[mhdwy]|permanent)$/i;

/**
 * The term typed with an option word (`--for=30d`, `--for30d`, or `--duration` then `30d`), lower case, when
 * `--for` takes it as written, or a number after an option naming its unit (`--days 7`: `7d`); else
 * undefined. What a hint may tell the user to type again, in the digits `--for` reads in any width or
 * script (`--duration ８ｈ`: `8h`, {@link durationText}).
 */
export function termTyped(typedWord: string, typedNext: string | undefined): string | undefined {
  const word = durationText(typedWord);
  const next = typedNext === undefined ? undefined : durationText(typedNext);
  const eq = word.indexOf('=');
  // `--for30d` and `--for:30d` carry their term in the word itself.
  const runTogether = /^--for:?(\d+[a-z]+|permanent)$/i.exec(word);
  const value = runTogether ? runTogether[1] : eq > 0 ? word.slice(eq + 1) : next;
  if (value === undefined) return undefined;
  if (DURATION_WORD.test(value)) return value.slice(0, 20).toLowerCase();
  const flag = (eq > 0 ? word.slice(0, eq) : word).toLowerCase();
  const unit = Object.hasOwn(UNIT_OPTIONS, flag) ? UNIT_OPTIONS[flag] : undefined;
  return unit && /^\d{1,4}$/.test(value) ? `${Number(value)}${unit}` : undefined;
}

/**
 * `--duration 2h` (or another {@link TERM_LOOKALIKES}): kept as words of the reason, it filed a
 * request with the default term (30 days) while its author asked for two hours. Refused,
 * nothing requested, wherever it is. Any other word starting with `--` after the first word of a
 * grant's or extend's reason stays part of it, even with a term after it: "kubectl logs --since
 * 1h shows ImagePullBackOff" and "helm upgrade --timeout 10m fails on pull" are reasons people
 * give (one where the options go is refused: {@link refuseOptionWhereOptionsGo}).
 */
function refuseUnknownTermOption(word: string, next: string | undefined): void {
  if (!word.startsWith('--')) return;
  const eq = word.indexOf('=');
  const flag = (eq > 0 ? word.slice(0, eq) : word).toLowerCase();
  if (!TERM_LOOKALIKES.includes(flag)) return;
  const term = termTyped(word, next);
  // The hint names the user's own term when --for takes it as written; any other term in it
  // (a fixed 2h for "--duration permanent" or "--ttl 1 day") would be copied and filed as asked.
  const hint = term ? `use --for ${term}` : 'use --for with a term, e.g. --for 2h or --for 30d';
  throw new UserFacingError(
    'validation.option',
    `Unknown option ${cutText(flag, 40)}: ${hint}. Nothing was requested.`,
  );
}

/**
 * A grant's words after its options are the reason, so `--break-glass` typed after the reason (or
 * misspelt, or given a value) would be kept as text and file an ordinary request while its author
 * believes it runs at once. Refused instead, nothing requested. Other words starting with `--` stay
 * part of the reason ("kubectl --namespace payments fails").
 */
function refuseLateBreakGlass(words: readonly string[]): void {
  const misplaced = words.find((w) => /^--break[-_]?glass(=|$)/i.test(w));
  if (!misplaced) return;
  const usage = 'grant CLUSTER REGISTRY --break-glass REASON…';
  throw new UserFacingError(
    'validation.option',
    misplaced.includes('=')
      ? `--break-glass takes no value: ${usage} Nothing was requested.`
      : misplaced.toLowerCase() !== '--break-glass'
        ? `Did you mean --break-glass? It goes before the reason: ${usage} Nothing was requested.`
        : `--break-glass goes before the reason: ${usage} Nothing was requested.`,
  );
}

/**
 * Pulls `--break-glass` out of a grant's words when it comes before the first word of the reason
 * (the third word that is neither an option nor a `--for` value): the emergency path (policy
 * breakGlass). One typed after the reason is left in the words, for {@link refuseLateBreakGlass}:
 * where the reason starts is the one rule, however many words the reason has.
 */
function takeEarlyBreakGlass(words: readonly string[]): { breakGlass: boolean; rest: string[] } {
  const rest: string[] = [];
  let breakGlass = false;
  let positional = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const lower = word.toLowerCase();
    if (lower === '--break-glass' && positional <= 2) {
      breakGlass = true;
      continue;
    }
    rest.push(word);
    if (DURATION_FLAGS.includes(lower)) {
      // Its value is no word of the reason either (a missing one is refused by takeDuration).
      if (i + 1 < words.length) rest.push(words[++i]);
    } else if (!DURATION_FLAGS.includes(lower.split('=')[0])) positional++;
  }
  return { breakGlass, rest };
}

/** The commands whose options {@link unknownOption} lists, and the sentence that lists them. */
const OPTIONS_TAKEN = {
  secret:
    'The secret command takes --namespace, --name, --kind, --service-account, --for (or --expires) and --repositories. Nothing was requested.',
  grant: 'The grant command takes --for (e.g. --for 7d) and --break-glass, before the reason. Nothing was requested.',
  extend: 'The extend command takes --for (e.g. --for 7d), before the reason. Nothing was requested.',
} as const;

/** The long options of each command, without their dashes: what an unknown one may be a near miss of. */
const OPTION_NAMES: Readonly<Record<keyof typeof OPTIONS_TAKEN, readonly string[]>> = {
  secret: ['namespace', 'name', 'kind', 'service-account', 'for', 'expires', 'repositories'],
  grant: ['for', 'expires', 'break-glass'],
  extend: ['for', 'expires'],
};

/** Short forms people know from kubectl and other CLIs, and the option each means here (when the command has it). */
const OPTION_ALIASES: Readonly<Record<string, string>> = {
  n: 'namespace',
  ns: 'namespace',
  sa: 'service-account',
  repo: 'repositories',
  repos: 'repositories',
  secret: 'name',
  'secret-name': 'name',
  type: 'kind',
  t: 'for',
  f: 'for',
  d: 'for',
  w: 'for',
  exp: 'expires',
  b: 'break-glass',
  bg: 'break-glass',
  emergency: 'break-glass',
};

/**
 * The option of `verb` an unknown one was most likely meant as (`-ns`: `--namespace`, `--repos`:
 * `--repositories`, `-serviceaccount`: `--service-account`), or undefined when none stands out.
 */
function meantOption(verb: keyof typeof OPTIONS_TAKEN, flag: string): string | undefined {
  const typed = flag.replace(/^-+/, '').toLowerCase();
  const names = OPTION_NAMES[verb];
  const alias = Object.hasOwn(OPTION_ALIASES, typed) ? OPTION_ALIASES[typed] : undefined;
  const squashed = typed.replace(/[-_]/g, '');
  // A prefix of three letters or more names one option only when no other starts alike ("nam").
  const prefixed = typed.length >= 3 ? names.filter((name) => name.startsWith(typed)) : [];
  const found =
    (alias !== undefined && names.includes(alias) ? alias : undefined) ??
    names.find((name) => name.replace(/-/g, '') === squashed) ??
    (prefixed.length === 1 ? prefixed[0] : undefined);
  return found && `--${found}`;
}

/**
 * An option `verb` does not have, refused with the one it most likely meant and the ones it has.
 * `next` is the word after it: a term there goes into the suggestion (`-t 7d`: `--for 7d`; `-d 7`,
 * `-w 2`: `--for 7d`, `--for 2w`).
 */
function unknownOption(verb: keyof typeof OPTIONS_TAKEN, flag: string, next: string | undefined): UserFacingError {
  const meant = meantOption(verb, flag);
  const unit = /^-+([dw])$/i.exec(flag)?.[1].toLowerCase();
  const number = next === undefined ? undefined : durationText(next);
  const days = unit && number && /^\d{1,4}$/.test(number) ? `${Number(number)}${unit}` : undefined;
  const term = meant === '--for' || meant === '--expires' ? (days ?? termTyped(meant, next)) : undefined;
  const guess = meant ? `: did you mean ${term ? `${meant} ${term}` : meant}?` : '.';
  return new UserFacingError('validation.option', `Unknown option ${cutText(flag, 40)}${guess} ${OPTIONS_TAKEN[verb]}`);
}

/**
 * A word typed as an option with one dash (`-ns`, `-sa=builder`, `-repos`): a dash, a letter, then
 * letters and hyphens, and perhaps `=` and a value. Not a dash alone ("- fixes deploys"), `-v2`
 * or `-5%`. One that names an option was made `--` by {@link asciiOption}; this one names none.
 */
const SINGLE_DASH_OPTION = /^-[a-z][a-z-]*(=|$)/i;

/** A word typed as an option with one dash or two (`-t`, `--t`, `--exp=7d`), as {@link SINGLE_DASH_OPTION}. */
const OPTION_WORD = /^--?[a-z][a-z-]*(=|$)/i;

/** The option name of a word typed as an option (`-ns=payments`: `-ns`). */
const flagOf = (word: string): string => (word.includes('=') ? word.slice(0, word.indexOf('=')) : word);

/**
 * An option the command does not have, typed where a grant's or extend's options go (`grant
 * aks-dev contosoacr -t 7d testing`; `--t 7d`, `-d 7`, `--exp 7d`): refused as the unknown option it
 * is, naming the one meant. Kept as the first words of the reason, the request went out with the
 * default term. `words` are the places options go: the names and the reason's first word, where
 * no name or sentence starts with a dash. A word starting with `--` later in the reason stays
 * part of it ("kubectl logs --since 1h shows ImagePullBackOff"): the options are before it.
 */
function refuseOptionWhereOptionsGo(
  verb: 'grant' | 'extend',
  words: readonly string[],
  next: string | undefined,
): void {
  const at = words.findIndex((word) => OPTION_WORD.test(word));
  if (at < 0) return;
  const word = words[at];
  // Its value after `=` (`--exp=7d`) or as the next word, for the suggestion.
  const inline = word.includes('=') ? word.slice(word.indexOf('=') + 1) : undefined;
  throw unknownOption(verb, flagOf(word), inline || (words[at + 1] ?? next));
}

/**
 * A reason that starts with a length (`7d testing`, `for 2 weeks to test`, `2 days of testing`):
 * meant as the term, filed as words of the reason with the default term. Refused, naming the
 * option to write; nothing is requested. A length later in the reason stays ("testing the app
 * for 2 weeks"): it reads as prose, and the plan card shows the term the request gets. An end
 * where the length goes (`until 2026-12-31 release freeze`, `by Friday 17:00`) is refused too.
 * Not called when the command gave a term (`--for 2w 2 weeks load test`): the length then is what
 * the term says, written out in the reason, and "write --for 2w" would ask for what was typed.
 */
function refuseLeadingTerm(reason: readonly string[]): void {
  // "until 2026-12-31 release freeze": an end where a length goes, with the default term (30
  // days) past it. acrbot counts from the approval, which is not known yet: it names no length.
  const end = leadingEnd(reason);
  if (end)
    throw new UserFacingError(
      'validation.option',
      `${readsAsEnd(end)}. Write --for and the length until then (like --for 3d or --for 8h) before the reason. Nothing was requested.`,
    );
  const found = leadingTerm(reason);
  if (found)
    throw new UserFacingError(
      'validation.option',
      `"${found.typed}" reads as a length: write --for ${found.term}${monthsNote(found)} before the reason. Nothing was requested.`,
    );
  // `²h testing`: as meant as `2h testing`, but in a digit `--for ²h` refuses; named as it does.
  const unread = leadingUnreadTerm(reason);
  if (unread)
    throw new UserFacingError(
      'validation.option',
      `"${unread.typed}" reads as a length, but ${unreadWhy(unread.other)}: write --for and the term in ${unread.other.digit ? 'digits 0–9' : 'ASCII letters'} (like --for 3d or --for 8h) before the reason. Nothing was requested.`,
    );
}

/** `² is a superscript digit, which --for does not read`: why a length in such a character is none. */
export function unreadWhy(other: OtherDigit): string {
  return `${other.char} is ${other.kind}, which --for does not read`;
}

/**
 * An option pasted with the usage's square brackets (`[--for 7d]`, `[--break-glass]`): the
 * brackets kept it from being read as the option, so it became a name or words of the reason.
 * Refused, naming what to type without them; nothing is requested.
 */
function refuseBracketedOption(words: readonly string[]): void {
  const at = words.findIndex((word) => /^\[--?[a-z]/i.test(word));
  if (at < 0) return;
  const option = words[at].slice(1).replace(/\]$/, '');
  const next = words[at + 1];
  const value = !words[at].endsWith(']') && next?.endsWith(']') ? ` ${next.slice(0, -1)}` : '';
  throw new UserFacingError(
    'validation.option',
    `Square brackets in the usage mark an option you may leave out: type "${cutText(`${option}${value}`, 60)}" without them. Nothing was requested.`,
  );
}

/**
 * Words people put between a cluster and a registry (`grant aks-dev to contosoacr`, `grant
 * contosoacr to aks-dev`, `aks-dev -> contosoacr`). None can be a registry's name (5 letters or
 * more, no symbols), so one in the registry's place with a name after it is glue, dropped.
 */
const GLUE = new Set(['to', 'from', '->', '=>', '-->', '\u2192', '\u21d2']);

/**
 * The words without the glue word between the first two names, if there is one and another word
 * after it. `optionWords` says how many words an option takes after it (its value), or undefined
 * for a word that is no option (the default: every word a name): options are skipped in counting
 * the names.
 */
export function withoutGlue(
  words: string[],
  optionWords: (word: string) => number | undefined = () => undefined,
): string[] {
  const names: number[] = [];
  for (let i = 0; i < words.length && names.length < 3; i++) {
    const taken = optionWords(words[i]);
    if (taken === undefined) names.push(i);
    else i += taken;
  }
  const [, second, third] = names;
  return third !== undefined && GLUE.has(words[second].toLowerCase()) ? words.filter((_, i) => i !== second) : words;
}

/** How {@link withoutGlue} skips a grant's options: `--for` and `--expires` take the next word. */
const grantOptionWords = (word: string): number | undefined =>
  /^--?[a-z]/i.test(word) ? (DURATION_FLAGS.includes(word.toLowerCase()) ? 1 : 0) : undefined;

/**
 * What a command asks for instead of doing it, its usage: `grant --help`, `secret -h`, `grant ?`, or `grant
 * help` alone. ("grant help" read its "help" as a cluster's name; "--help" was an unknown option.)
 * `help` with more words after it stays a word (a cluster named help, a pause reason "help desk
 * down").
 */
export function asksForHelp(args: readonly string[]): boolean {
  const first = args[0]?.toLowerCase();
  return first !== undefined && (HELP_WORDS.has(first) || (first === 'help' && args.length === 1));
}

const HELP_WORDS = new Set(['--help', '-help', '-h', '--h', '-?', '?', '/?', '/help']);

function parseRevoke(words: string[]): Command {
  // An id typed with a dash look-alike or in full width (`R‑7K2M9QXA`) is the id, not a cluster
  // named so (no cluster name has such characters); one without its dash stays a name.
  const first = readIdWord(words[0]);
  if (first && REQUEST_ID.test(first)) {
    // `R-` and 8 letters and digits with one that ids never use (`r-7k2m9qx0`): said as typed,
    // as `status` and `cancel` say it, not looked up upper-cased ("There is no request R-7K2M9QX0").
    const mistyped = mistypedRequestId(first, 'revoke {id}');
    if (mistyped) throw mistyped;
    return { verb: 'revoke', requestId: first.toUpperCase(), reason: words.slice(1).join(' ') || undefined };
  }
  // `revoke registry NAME…` names one registry, every cluster's requests on it; `revoke cluster
  // NAME…` is a form revoke does not take, told as such by the handler (not "no cluster named cluster").
  const scope = words[0]?.toLowerCase();
  if (scope === 'registry' || scope === 'cluster') {
    const [, name, ...rest] = words;
    const named = scope === 'registry' ? { registry: name } : { cluster: name };
    return { verb: 'revoke', scope, ...named, reason: rest.join(' ') || undefined };
  }
  const [cluster, registry, ...rest] = words;
  return { verb: 'revoke', cluster, registry, reason: rest.join(' ') || undefined };
}

/**
 * `check CLUSTER REGISTRY` and `policy CLUSTER REGISTRY`, read as grant reads its names: `to`
 * between them dropped (`check aks-prod to contosoacr` checked a registry named "to"), and names
 * typed registry first answered "Cluster first" ({@link swappedNames}). Words after the two are
 * ignored, as before.
 */
function parsePair(verb: 'check' | 'policy', words: string[]): Command {
  const [cluster, registry] = withoutGlue(words);
  refuseSwappedNames(verb, { cluster, registry });
  return { verb, cluster, registry };
}

/**
 * `cancel`, or `cancel REQUEST-ID REASON…` (the reason optional, kept as typed: the flow checks
 * it as every reason). A mistyped id is named as such, with or without words after it: read as
 * no id, "cancel R-7K2M9QX0 wrong registry" got the usage.
 */
function parseCancel(words: string[]): Command {
  if (words.length === 0) return { verb: 'cancel' };
  const [typed, ...reason] = words;
  if (isRequestId(typed))
    return { verb: 'cancel', requestId: typed.toUpperCase(), reason: reason.join(' ') || undefined };
  // With words after it ("cancel R-7K2M9QXA, wrong registry"), the command to type keeps a reason.
  const mistyped = mistypedRequestId(typed, reason.length ? 'cancel {id} REASON…' : 'cancel {id}');
  if (mistyped) throw mistyped;
  throw new UserFacingError(
    'validation.usage',
    'Say "cancel REQUEST-ID" (like "cancel R-7K2M9QXA", a reason after it if you like) to withdraw your pending request, or just "cancel" to stop the question-and-answer in progress.',
  );
}

/**
 * `withdraw REQUEST-ID`, Withdraw my approval typed. Nothing else: the click carries no reason,
 * and words after the id kept silently would read as recorded.
 */
function parseWithdraw(words: string[]): Command {
  const [typed, ...rest] = words;
  const mistyped = mistypedRequestId(typed, 'withdraw {id}');
  if (mistyped) throw mistyped;
  if (typed !== undefined && isRequestId(typed) && rest.length === 0)
    return { verb: 'withdraw', requestId: typed.toUpperCase() };
  throw new UserFacingError(
    'validation.usage',
    typed !== undefined && isRequestId(typed)
      ? `"withdraw" takes the request id alone: "withdraw ${typed.toUpperCase()}" takes back your approval of it. Nothing was changed.`
      : 'Say "withdraw REQUEST-ID" (like "withdraw R-7K2M9QXA") to take back your approval of a request that waits for more approvals. Nothing was changed.',
  );
}

function parsePending(words: string[]): Command {
  // An id with a full stop after it, or mistyped, is named as the problem: it would list every
  // pending request.
  const mistyped = mistypedRequestId(words[0], 'pending {id}');
  if (mistyped) throw mistyped;
  // Other words ("pending now") are ignored, as before ids were taken.
  return words[0] && isRequestId(words[0])
    ? { verb: 'pending', requestId: words[0].toUpperCase() }
    : { verb: 'pending' };
}

/**
 * `extend ID [--for D] REASON…`. An id (with or without its dash) becomes the id as acrbot writes
 * it; any other word is kept as typed, as `status`, `pending` and `cancel` keep theirs, so that
 * the refusal quotes what the user typed ("r-abc"), not a word they never wrote ("R-ABC").
 */
function parseExtend(words: string[]): Command {
  refuseBracketedOption(words);
  const { duration, rest } = takeDuration(words);
  refuseOptionWhereOptionsGo('extend', rest.slice(0, 2), rest[2]);
  const [typed, ...reason] = rest;
  if (duration === undefined) refuseLeadingTerm(reason);
  const word = withIdDash(typed);
  const requestId = word !== undefined && isRequestId(word) ? word.toUpperCase() : word;
  return { verb: 'extend', requestId, duration, reason: reason.join(' ') || undefined };
}

/** The words of a command as the parser reads them (dash look-alikes before options made `--`). */
export function splitCommandWords(text: string): string[] {
  return splitWords(text);
}

/**
 * The term or break-glass option a word of free text names (`--for`, `—for=2h`, `--for2h`,
 * `--break-glass`, `--duration`), if any: in an answer to a question it would be kept as text
 * and silently not apply.
 */
export function termOrBreakGlassOption(word: string): string | undefined {
  const option = asciiOption(word);
  if (!option.startsWith('--')) return undefined;
  const flag = option.split('=')[0].toLowerCase();
  if (DURATION_FLAGS.includes(flag) || TERM_LOOKALIKES.includes(flag) || /^--break[-_]?glass$/.test(flag)) return flag;
  const nearMiss = DURATION_NEAR_MISS.exec(durationText(option));
  return nearMiss ? `--${nearMiss[1].toLowerCase()}` : undefined;
}

function splitWords(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean).map(asciiOption);
}

/**
 * Dashes that phones, Word and Outlook put where `--` was typed (en and em dash, minus sign and
 * their kin), at the start of a word.
 */
const DASH_LOOKALIKES = /^[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]+-*/;

/**
 * `—for 2h` or `–break-glass` as the option it was meant to be: smart punctuation would otherwise
 * turn an option into words of the reason (a 30-day grant instead of 2 hours, an ordinary request
 * instead of break-glass). Only words that then name an option change; other text stays as typed.
 */
function asciiOption(word: string): string {
  const option = DASH_LOOKALIKES.test(word)
    ? word.replace(DASH_LOOKALIKES, '--')
    : // One dash before a long name (`-for 2h`, `-namespace payments`), as some CLIs take them.
      SINGLE_DASH_LONG.test(word)
      ? `-${word}`
      : undefined;
  if (option === undefined) return word;
  const flag = option.split('=')[0].toLowerCase();
  // A run-together term (`—for2h`) too, so that it is refused as one rather than kept as text.
  const known =
    DURATION_FLAGS.includes(flag) ||
    TERM_LOOKALIKES.includes(flag) ||
    secretFlag(flag) !== undefined ||
    /^--break[-_]?glass$/.test(flag) ||
    DURATION_NEAR_MISS.test(durationText(option));
  return known ? option : word;
}

/** A word with one ASCII dash before two or more letters: `-for`, not `-n` or `--for`. */
const SINGLE_DASH_LONG = /^-[a-z][a-z]/i;

/**
 * The cluster, the registry and the reason; a reason that starts with a length is refused
 * ({@link refuseLeadingTerm}) unless `termGiven` (a `--for` was typed too). One name alone that
 * can only be a registry ({@link onlyRegistry}) is the registry: the questions then ask for the
 * cluster, instead of refusing a login server as a cluster's name before any question.
 */
function positionals(words: string[], termGiven: boolean): { cluster?: string; registry?: string; reason?: string } {
  const [cluster, registry, ...rest] = words;
  if (cluster !== undefined && registry === undefined && onlyRegistry(cluster)) return { registry: cluster };
  if (!termGiven) refuseLeadingTerm(rest);
  return { cluster, registry, reason: rest.length ? rest.join(' ') : undefined };
}

/**
 * Whether `word` names a registry and can be no cluster, by its form alone: a login server
 * (`contosoacr.azurecr.io`, on an ACR domain even when malformed, which the registry's rule then
 * refuses) or a registry's resource id. A plain name (`contosoacr`) can be a cluster too: kept
 * in the cluster's place, as typed.
 */
function onlyRegistry(word: string): boolean {
  if (isNameOf('cluster', word)) return false;
  return onLoginServerDomain(word) || isNameOf('registry', word);
}

/** A command whose names read as swapped ({@link swappedNames}): refused, naming the order. */
function refuseSwappedNames(verb: PairVerb, parts: { cluster?: string; registry?: string }): void {
  const swapped = parts.cluster && parts.registry ? swappedNames(verb, parts.cluster, parts.registry) : undefined;
  if (swapped) throw swapped;
}

/**
 * `--repositories team/app, team/worker` (a space after the comma, as people write lists): the
 * option's value is one word, so `team/worker` would silently become a word of the reason (or,
 * before the positionals, the cluster) and the token pull `team/app` only. A value ending with a
 * comma, or a next word starting with one, continues the list: refused, nothing requested.
 */
function refuseSplitList(flag: string, value: string, next: string | undefined): void {
  // A value of commas only names no repository: the options check says so (checkSecretOptions).
  if (next === undefined || !/[^,]/.test(value) || !(value.endsWith(',') || next.startsWith(','))) return;
  const shown = (v: string) => `"${cutText(v, 40)}"`;
  throw new UserFacingError(
    'validation.option',
    `${flag} ${shown(value)} is followed by ${shown(next)}: a list with spaces in it is cut at the first space, so write it without spaces, e.g. ${flag} team/app,team/worker. Nothing was requested.`,
  );
}

/**
 * Whether a one-dash word in a secret's reason reads as one of the secret's options (`-ns`,
 * `-sa`, `-repos`, `-serviceaccount`: an alias or a close match), refused wherever it is. A
 * one-letter alias (`-t`, `-f`, `-d`, `-w`, all meaning `--for`) only with a term or a number
 * after it (`-t 7d`, `-d 7`, `-t ８ｈ`): "docker build -f Dockerfile.prod fails" is a reason.
 */
function readsAsSecretOption(flag: string, next: string | undefined): boolean {
  if (meantOption('secret', flag) === undefined) return false;
  return (
    flag.replace(/^-+/, '').length > 1 ||
    (next !== undefined && /^(\d{1,4}|\d+[mhdwy]|permanent)$/i.test(durationText(next)))
  );
}

/**
 * What a suggested command says in place of a secret name that is taken (views/ask-again-command.ts):
 * the requester picks another. Upper case, so it is never a valid secret name itself.
 */
export const NEW_SECRET_NAME = 'NEW-NAME';

/**
 * `--name NEW-NAME` pasted from a suggested command as it is: not refused as an invalid name (the
 * name's rules would send the requester looking for what they did wrong) but as the placeholder
 * it is, to be replaced with a new name. Nothing is requested.
 */
function placeholderName(flag: string): UserFacingError {
  return new UserFacingError(
    'validation.option',
    `${NEW_SECRET_NAME} after ${flag} is a placeholder: replace it with a new name for the secret, since the one asked for before is taken (lowercase letters, digits, "-" and ".", e.g. ${flag} acr-auth-2). Nothing was requested.`,
  );
}

function parseSecret(words: string[]): Command {
  refuseBracketedOption(words);
  const options: SecretCommandOptions = {};
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    // `--namespace=payments` and the short `-n=payments` alike.
    const [flag, inline] =
      word.includes('=') && word.startsWith('-')
        ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
        : [word, undefined];
    refuseRunTogetherDuration(word);
    const key = secretFlag(flag);
    if (key) {
      const value = inline ?? words[++i];
      if (!value || value.startsWith('--')) {
        throw new UserFacingError(
          'validation.option',
          `${flag} needs a value, e.g. ${flag} ${key === 'kind' ? 'token' : key === 'expires' ? '90d' : 'payments'}.`,
        );
      }
      if (key === 'repositories') refuseSplitList(flag, value, words[i + 1]);
      if (key === 'expires') refuseSpelledTerm(flag, value, words[i + 1]);
      if (key === 'name' && value === NEW_SECRET_NAME) throw placeholderName(flag);
      const earlier = options[key];
      if (earlier !== undefined && earlier !== value) throw givenTwice(flag, earlier, value);
      options[key] = value;
    } else if (
      word.startsWith('--') ||
      (SINGLE_DASH_OPTION.test(word) &&
        (readsAsSecretOption(flag, inline ?? words[i + 1]) || withoutGlue(rest).length < 3))
    ) {
      // A term look-alike gets the same "use --for 30d" as in a grant; any other unknown option
      // is refused too: a mistyped --namespace taken as a word would write the secret elsewhere
      // (`-ns payments` made default/acr-auth, `-repos team/app` a token for every repository).
      // With one dash, anywhere when it reads as one of the secret's options, else only where
      // options go, as in a grant: "needed for the -rc build" is a reason.
      refuseUnknownTermOption(word, words[i + 1]);
      throw unknownOption('secret', flag, inline ?? words[i + 1]);
    } else {
      rest.push(word);
    }
  }
  const parts = positionals(withoutGlue(rest), options.expires !== undefined);
  refuseSwappedNames('secret', parts);
  return { verb: 'secret', ...parts, options };
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

/**
 * Verbs whose word may carry a colon or comma before their arguments ("Status: R-7K2M9QXA",
 * "check, aks-prod contosoacr"): each takes a request id or a cluster and registry, which no
 * sentence continues with. Not pause, resume, grant, secret or help: "Pause, deploys blocked
 * until the registry is fixed" at the reason question is a reason, not a pause.
 */
const PUNCTUATED_VERBS = new Set([
  'status',
  'pending',
  'revoke',
  'extend',
  'cancel',
  'withdraw',
  'check',
  'policy',
  'access',
  'audit',
]);

/**
 * The command word, lower case. A word typed alone keeps no closing punctuation ("Help.",
 * "Cancel!", "status?"): people write sentences, and "Cancel!" read as an unknown word would be
 * taken as an answer to the question in progress instead of stopping it. Followed by more words
 * it loses one colon or comma, and only for {@link PUNCTUATED_VERBS}: "Grant. We need it…" and
 * "Pause, deploys blocked…" stay the unknown words they read as.
 */
export function verbOf(word: string, alone: boolean): string {
  // A Turkish keyboard's capital dotted İ (caps lock on): "LİST".toLowerCase() is "li̇st", an i
  // and a combining dot, no verb. As I and i in the verb word only: names and reasons keep theirs.
  const lower = word.replace(/İ/g, 'I').replace(/ı/g, 'i').toLowerCase();
  if (alone) return withoutTrailing(lower, '.!?,;:') || lower;
  const bare = lower.replace(/[,:]$/, '');
  return PUNCTUATED_VERBS.has(bare) ? bare : lower;
}

/**
 * Commands whose first word may be a request id ({@link withIdDash}). Not `revoke`: its first
 * word may be a cluster's name, and one like `rstagewe2` reads as an id without its dash.
 */
const ID_FIRST_VERBS = new Set(['status', 'pending', 'audit', 'cancel', 'stop', 'withdraw']);

/** Verbs that answer {@link asksForHelp} with their own usage (`help` with every command's): every command acrbot has. */
const HELP_VERBS: ReadonlySet<string> = new Set([...COMMAND_HELP.map((c) => c.verb), 'stop']);

/** The help of one command; `stop` is `cancel`'s other name, `help` the whole list. */
function helpAbout(verb: string): Command {
  if (verb === 'help') return { verb: 'help' };
  return { verb: 'help', about: verb === 'stop' ? 'cancel' : verb };
}

/** Parses the text of a message addressed to the bot. */
export function parseCommand(text: string): Command {
  const words = splitWords(text);
  const verb = verbOf(words.shift() ?? 'help', words.length === 0);
  // The one place an id typed without its dash becomes the id, for every command that takes one
  // first (extend's comes after its term: parseExtend).
  if (ID_FIRST_VERBS.has(verb) && words.length > 0) words[0] = withIdDash(words[0]);
  // `grant --help`, `secret -h`: that command's usage, not a cluster named "--help" or an unknown option.
  if (HELP_VERBS.has(verb) && asksForHelp(words)) return verb === 'help' ? { verb: 'help' } : helpAbout(verb);
  // One case per verb: alike in shape, but each builds its own command from its own words.
  switch (verb) {
    case 'help':
    case '?':
      // `help grant`: that command's usage; other words after help are ignored, as before.
      return words.length === 1 && HELP_VERBS.has(words[0].toLowerCase())
        ? helpAbout(words[0].toLowerCase())
        : { verb: 'help' };
    case 'grant': {
      refuseBracketedOption(words);
      const { breakGlass, rest: unflagged } = takeEarlyBreakGlass(withoutGlue(words, grantOptionWords));
      const { duration, rest } = takeDuration(unflagged);
      refuseLateBreakGlass(rest);
      refuseOptionWhereOptionsGo('grant', rest.slice(0, 3), rest[3]);
      const parts = positionals(rest, duration !== undefined);
      refuseSwappedNames('grant', parts);
      // Break-glass runs at once, so there is no question-and-answer to fill gaps in (the
      // dialog would drop the flag and file an ordinary request without saying so).
      if (breakGlass && !(parts.cluster && parts.registry && parts.reason)) {
        throw new UserFacingError(
          'validation.breakGlassIncomplete',
          'Break-glass runs at once, so it needs everything on one line: grant CLUSTER REGISTRY --break-glass REASON… Nothing was requested.',
        );
      }
      return {
        verb: 'grant',
        ...parts,
        ...(duration ? { duration } : {}),
        ...(breakGlass ? { breakGlass: true } : {}),
      };
    }
    case 'revoke':
      return parseRevoke(words);
    case 'extend':
      return parseExtend(words);
    case 'policy':
    case 'check':
      return parsePair(verb, words);
    case 'secret':
      return parseSecret(words);
    case 'status':
      return { verb: 'status', requestId: words[0] };
    case 'pending':
      return parsePending(words);
    case 'audit':
      return { verb: 'audit', argument: words[0] };
    case 'cancel':
    case 'stop':
      return parseCancel(words);
    case 'withdraw':
      return parseWithdraw(words);
    case 'access':
      return parseAccess(words);
    case 'pause':
    case 'resume':
      return { verb, reason: words.join(' ') || undefined };
    default:
      return { verb: 'unknown', word: cutText(verb, 40) };
  }
}
