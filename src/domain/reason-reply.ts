/**
 * How a reply to "Why is the access needed?" is read: as the answer, as a command, or as a wish
 * to stop. Any text can be a reason ("access is needed for the nightly deploy", "stop pulling
 * from docker hub", "Grant needed because deploys fail"), so a reply runs as a command only when
 * it cannot be one: it acts on a request id (`revoke R-… no longer needed`, which filed as a
 * reason left the grant it named in place). A reply that merely reads like a grant, check,
 * access or revoke of a cluster and registry is asked again with a hint, and only a "never mind"
 * with nothing but filler cancels: a wrong guess either way loses the request being filled in.
 * Also how an answer to the cluster or registry question that is a whole line is refused.
 */
import {
  asksForHelp,
  isTermLookalike,
  parseCommand,
  splitCommandWords,
  termOrBreakGlassOption,
  termTyped,
  unreadWhy,
  verbOf,
  withoutGlue,
} from './command';
import { askedNext, type GivenAnswers } from './asked-next';
import { leadingEnd, readsAsEnd } from './end-words';
import { isUserFacing, UserFacingError } from './errors';
import { isNameOf, parseClusterRef, parseRegistryRef } from './names';
import { readAsRequestId, startsWithDashedId } from './request-id-word';
import { leadingTerm, leadingUnreadTerm, monthsNote } from './term-words';
import { withoutTrailing } from './text';

/** What a reply at the reason question is. */
export type ReasonReply = 'answer' | 'command' | 'cancel';

/** Words that stop the question-and-answer when a reply starts with them ("never mind" too). */
const CANCEL_WORDS = new Set(['cancel', 'abort', 'stop', 'nevermind']);

/**
 * The only other words a reply starting with a cancel word may have to stop the questions
 * ("Stop please, wrong cluster", "cancel this request", "never mind, my mistake"). Any other
 * word makes it a reason: "stop the prod outage", "cancel the stuck canary release" and "abort
 * failing nightly deploy job" are why access is needed, and a guess that cancels them throws
 * the request away.
 */
const CANCEL_FILLER = new Set([
  'this',
  'that',
  'it',
  'the',
  'request',
  'please',
  'pls',
  'now',
  'wrong',
  'cluster',
  'registry',
  'one',
  'mistake',
  'sorry',
  'thanks',
  'thank',
  'you',
  'i',
  'changed',
  'my',
  'mind',
  'oops',
]);

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * A word lower case without the punctuation around it ("please," → "please"). Found by walking
 * the characters rather than by `[^\p{L}\p{N}]+$`, which is tried from every start of a run and
 * took seconds on one long word of punctuation between letters.
 */
function plainWord(word: string | undefined): string {
  const characters = Array.from((word ?? '').toLowerCase());
  const first = characters.findIndex((c) => LETTER_OR_DIGIT.test(c));
  if (first < 0) return '';
  let last = characters.length - 1;
  while (!LETTER_OR_DIGIT.test(characters[last])) last--;
  return characters.slice(first, last + 1).join('');
}

/**
 * Whether a reply at a question means "stop": one starting with cancel, abort, stop, nevermind
 * or "never mind" whose other words are all {@link CANCEL_FILLER}. Read at any question: such a
 * reply is never a valid name either.
 */
export function isCancelReply(text: string): boolean {
  const words = text.trim().split(/\s+/).map(plainWord).filter(Boolean);
  const skip = CANCEL_WORDS.has(words[0]) ? 1 : words[0] === 'never' && words[1] === 'mind' ? 2 : 0;
  return skip > 0 && words.slice(skip).every((word) => CANCEL_FILLER.has(word));
}

const validPair = (cluster?: string, registry?: string): boolean =>
  isNameOf('cluster', cluster) && isNameOf('registry', registry);

/**
 * The command word of a reply and the words after it, the last without closing punctuation
 * ("check aks-prod contosoacr." has the shape of a check).
 */
function replyWords(text: string): { verb: string; args: string[] } {
  const words = splitCommandWords(text);
  const verb = verbOf(words[0] ?? '', words.length === 1);
  const args = words.slice(1);
  if (args.length > 0) args[args.length - 1] = withoutTrailing(args[args.length - 1], '.!?');
  return { verb, args: args.filter(Boolean) };
}

/**
 * The command a reply at the reason question reads like without being sure to be it: a grant,
 * secret or revoke with a valid cluster and registry after it ("Grant needed because deploys
 * fail" names a cluster "needed" and a registry "because", "revoke old tokens after rollout" a
 * revoke of cluster "old"), a check or policy of exactly a valid pair, an access of one valid
 * name ("Access denied"). Neither run nor filed: asked again, saying how to run it
 * ({@link checkReasonAnswer}). Run, the guess dropped the request being filled in; filed, a
 * command became a request's reason (`revoke aks-prod contosoacr no longer needed` filed a grant
 * of the pair it meant to end).
 */
export function lookalikeCommand(text: string): string | undefined {
  const { verb, args } = replyWords(text);
  switch (verb) {
    case 'grant':
    case 'secret': {
      // As the command reads its names: "grant aks-dev to contosoacr" names the pair too.
      const [cluster, registry] = withoutGlue(args);
      return validPair(cluster, registry) ? verb : undefined;
    }
    case 'revoke':
      // `revoke R-…` is that command, run ({@link isCommand}); an id is a valid cluster name too.
      return !startsWithDashedId(args[0]) && validPair(args[0], args[1]) ? verb : undefined;
    case 'check':
    case 'policy':
      return args.length === 2 && validPair(args[0], args[1]) ? verb : undefined;
    case 'access': {
      const [first, second] = args;
      const kind = first?.toLowerCase();
      const named =
        args.length === 1
          ? isNameOf('cluster', first) || isNameOf('registry', first)
          : args.length === 2 &&
            ((kind === 'cluster' && isNameOf('cluster', second)) ||
              (kind === 'registry' && isNameOf('registry', second)));
      return named ? verb : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Whether a reply is a command that cannot be a reason, run as such (the questions dropped): one
 * that acts on a request id as the command reads it (`revoke R-7K2M9QXA no longer needed`, whose
 * id with a full stop is named as the problem by the revoke; `status R7K2M9QXA`, without its
 * dash; not `status report2024 …`, a reason), `audit N|R-…|verify`, `pause …` (which keeps its own
 * guard in acr-bot.ts) or a command word alone other than grant and secret (shorter than any
 * reason). A grant or secret never is, but for `grant --help` (`grant help`, `secret -h`), which
 * shows the commands and keeps the question: the dialog does not restart from the reason question.
 */
function isCommand(text: string): boolean {
  const words = splitCommandWords(text);
  const verb = verbOf(words[0] ?? '', words.length === 1);
  const args = words.slice(1);
  switch (verb) {
    case 'revoke':
      // Its first word may be a cluster's name (`rstagewe2`), so only an id with its dash is one,
      // as its parser reads it.
      return args.length === 0 || startsWithDashedId(args[0]);
    case 'extend':
    case 'status':
    case 'pending':
    case 'cancel':
    case 'stop':
    case 'withdraw':
      // An id, also without its dash, or R- and 8 characters (a mistake in them the command names);
      // not a dashless word like a mistyped id ("extend release2 testing window" is a reason).
      return args.length === 0 || readAsRequestId(args[0]);
    case 'audit':
      return (
        args.length === 0 ||
        (args.length === 1 && (readAsRequestId(args[0]) || /^\d+$/.test(args[0]) || /^verify$/i.test(args[0])))
      );
    case 'pause':
      return true;
    case 'grant':
    case 'secret':
      return asksForHelp(args);
    default:
      return args.length === 0 && knownVerb(text);
  }
}

/** Whether the text's command word is one of acrbot's. */
function knownVerb(text: string): boolean {
  try {
    return parseCommand(text).verb !== 'unknown';
  } catch (err) {
    if (!isUserFacing(err)) throw err;
    return true;
  }
}

/**
 * Reads a reply to the reason question (the text as a command would be read, mention removed).
 * A {@link lookalikeCommand} is an answer here: the reason prompt refuses it with a hint.
 */
export function readReasonReply(text: string): ReasonReply {
  if (isCancelReply(text)) return 'cancel';
  if (splitCommandWords(text).length === 0) return 'answer';
  return isCommand(text) ? 'command' : 'answer';
}

/** Words a greeting starts with. */
const GREETINGS = new Set(['hello', 'hi', 'hey', 'hallo', 'ping', 'yo']);
/** A greeting of at most this many words is no reason ("hello, are you there?"). */
const GREETING_MAX_WORDS = 5;

/** The request a dialog fills in: the command its example line starts with. */
export type RequestFlow = 'grant' | 'secret';

/**
 * Why an option in an answer is refused, with a line to type instead that keeps what was asked:
 * `--break-glass` in it (retyped without, the request would be an ordinary one), the flow's own
 * command word (a secret request retyped as a grant asks for something else), and for a term
 * option acrbot does not have (`--duration`), that it is refused on the command line too.
 */
function optionInAnswer(option: string, flow: RequestFlow, term: string | undefined, cancel: string): string {
  if (/^--break/.test(option)) {
    // Break-glass is a grant's alone: a secret request has none to retype.
    return flow === 'grant'
      ? `${option} in an answer is not read as an option: options go on the command line. Type "${cancel}", then the whole request on one line, e.g. "grant CLUSTER REGISTRY --break-glass REASON…".`
      : `${option} in an answer is not read as an option, and a secret request has no break-glass: give the reason without it, or type "${cancel}", then "grant CLUSTER REGISTRY --break-glass REASON…" for emergency access.`;
  }
  // The user's own term when they typed one ("--for 30d" retyped as 2h would file what they did not ask).
  const example = `"${flow} CLUSTER REGISTRY --for ${term ?? '2h'} REASON…"`;
  return isTermLookalike(option)
    ? `${option} is not an option, in an answer or on the command line: the term option is --for. Type "${cancel}", then the whole request on one line, e.g. ${example}.`
    : `${option} in an answer is not read as an option: options go on the command line. Type "${cancel}", then the whole request on one line, e.g. ${example}.`;
}

/**
 * The rest of the refusal of a term written at the start of an answer (a length or an end): an
 * answer sets none, and what to type instead, with `term` in the example (`how`: what the line
 * says of it; `note`: what follows it, as a command's refusal has it: {@link monthsNote}).
 */
function noTermInAnswer(flow: RequestFlow, cancel: string, term: string, how = '', note = ''): string {
  return `an answer sets no term: give the reason without it (the request gets the default term), or type "${cancel}", then the whole request on one line${how}, e.g. "${flow} CLUSTER REGISTRY --for ${term} REASON…"${note}.`;
}

/**
 * Checks an answer to the reason question beyond the rules of any reason (checkReason): it is
 * no {@link lookalikeCommand}, which is neither run nor filed but asked again with the way to run
 * it; it carries no `--for`, `--expires` or `--break-glass` (or a look-alike) and starts with no
 * length (`2w testing`) or an end (`until Friday 17:00 …`, end-words.ts), which kept as text would
 * file the request with the default term and no break-glass while its author believes otherwise;
 * and it is not a short greeting, which would be filed as the request's reason.
 * `flow` is the request being filled in, named in the example of how to give an option;
 * `cancel` is what to type to stop the questions (in a channel or group chat acrbot hears only
 * a message that @mentions it, so there it is "@acrbot cancel").
 */
export function checkReasonAnswer(text: string, flow: RequestFlow = 'grant', cancel = 'cancel'): void {
  const command = lookalikeCommand(text);
  if (command)
    throw new UserFacingError(
      'validation.reason',
      // A grant or secret starts the request over; a revoke, check or the like is run instead of it.
      `That reads like a new "${command}" command. To ${command === 'grant' || command === 'secret' ? 'start over' : 'run it'}, type "${cancel}" first, then the command; otherwise give the reason in other words.`,
    );
  const words = splitCommandWords(text);
  const at = words.findIndex((word) => termOrBreakGlassOption(word));
  const option = at >= 0 ? termOrBreakGlassOption(words[at]) : undefined;
  if (option)
    throw new UserFacingError(
      'validation.option',
      optionInAnswer(option, flow, termTyped(words[at], words[at + 1]), cancel),
    );
  // "until Friday 17:00, release freeze": an end where a length goes, as a command refuses it
  // (command.ts refuseLeadingTerm); filed, the request got the default term, past the end asked for.
  const end = leadingEnd(words);
  if (end)
    throw new UserFacingError(
      'validation.option',
      `${readsAsEnd(end)}, and ${noTermInAnswer(flow, cancel, '3d', ' with --for and the length until then')}`,
    );
  // "2w testing the app", "for 2 weeks, testing": meant as the term, which an answer does not set.
  const length = leadingTerm(words);
  if (length)
    throw new UserFacingError(
      'validation.option',
      `"${length.typed}" reads as a length, and ${noTermInAnswer(flow, cancel, length.term, '', monthsNote(length))}`,
    );
  // "²h testing": a length too, in a digit `--for` does not read (command.ts refuseLeadingTerm).
  const unread = leadingUnreadTerm(words);
  if (unread)
    throw new UserFacingError(
      'validation.option',
      `"${unread.typed}" reads as a length (${unreadWhy(unread.other)}), and ${noTermInAnswer(flow, cancel, '8h', ' with --for and the term in ASCII')}`,
    );
  const typed = text.trim().split(/\s+/).filter(Boolean);
  if (GREETINGS.has(plainWord(typed[0])) && typed.length <= GREETING_MAX_WORDS)
    throw new UserFacingError(
      'validation.reason',
      'That reads as a greeting, not a reason: say why the access is needed, e.g. "deploy payments-api to prod".',
    );
}

/** What the cluster or registry question asks for (what it asks next: {@link askedNext}). */
const NAME_QUESTIONS = {
  cluster: { what: 'one cluster (name, resourceGroup/name or resource id)', example: 'aks-prod' },
  registry: { what: 'one registry (name or resource id)', example: 'contosoacr' },
} as const;

/**
 * Checks an answer to the cluster or registry question: one name, as {@link parseClusterRef} or
 * {@link parseRegistryRef} read it. A line of several words (a whole request pasted,
 * `aks-prod-weu contosoacr "deploys fail"`) is refused as what it is, not as one long invalid
 * name: the question takes one name, and the name to type is the line's first word when the
 * line starts like a request (a valid cluster, then a valid registry). Nothing of the line is
 * taken: a word read as the registry that was not meant as one ("aks-prod please use
 * contosoacr" names a registry "please") would go into the request. `given`: what the command
 * that started the questions already gave, which the refusal does not say is asked next.
 */
export function checkNameAnswer(kind: 'cluster' | 'registry', text: string, given: GivenAnswers = {}): void {
  try {
    if (kind === 'cluster') parseClusterRef(text);
    else parseRegistryRef(text);
  } catch (err) {
    const words = text.trim().split(/\s+/);
    if (!isUserFacing(err) || words.length < 2) throw err;
    const question = NAME_QUESTIONS[kind];
    // Only a validated name is quoted back: the rest is user text, and the refusal needs none of it.
    const name = kind === 'cluster' && validPair(words[0], words[1]) ? words[0] : undefined;
    const type = name ? `just "${name}"` : `just its name, e.g. "${question.example}"`;
    const next = askedNext(kind, given);
    throw new UserFacingError(
      'validation.name',
      `That is more than one name: this question takes ${question.what}. Type ${type}${next ? `; ${next}` : ''}.`,
      { cause: err },
    );
  }
}
