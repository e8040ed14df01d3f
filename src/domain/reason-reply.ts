/**
 * How a reply to "Why is the access needed?" is read: as the answer, as a command, or as a wish
 * to stop. Any text can be a reason ("access is needed for the nightly deploy", "stop pulling
 * from docker hub"), so a reply is read as a command only when it has the command's exact shape
 * with arguments that can be what the command takes (a request id, a valid cluster and registry
 * name). Otherwise `revoke R-… no longer needed` was filed as the reason of a new request while
 * the grant it named stayed in place.
 */
import { type Command, parseCommand, splitCommandWords, termOrBreakGlassOption } from './command';
import { isUserFacing, UserFacingError } from './errors';
import { parseClusterRef, parseRegistryRef } from './names';

/** What a reply at the reason question is. */
export type ReasonReply = 'answer' | 'command' | 'cancel';

/** Words that stop the question-and-answer when a short reply starts with them. */
const CANCEL_WORDS = new Set(['cancel', 'abort', 'stop', 'nevermind']);

/**
 * At most this many words for a reply starting with a cancel word to stop the questions ("cancel
 * this request", "Stop please, wrong cluster"). "stop" gets one word less: five words starting
 * with it are a reason people give ("stop pulling from docker hub").
 */
const CANCEL_MAX_WORDS = 5;
const STOP_MAX_WORDS = 4;

/** A request id as typed, possibly with punctuation after it (refused by the command with a hint). */
const REQUEST_ID_START = /^R-[0-9A-Z]{8}/i;

function plainWord(word: string | undefined): string {
  return (word ?? '').toLowerCase().replace(/[.!?,;:]+$/, '');
}

/**
 * Whether a reply at a question means "stop": a short one starting with cancel, abort, stop,
 * nevermind or "never mind". Read at any question: such a reply is never a valid name either.
 */
export function isCancelReply(text: string): boolean {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const first = plainWord(words[0]);
  const starts = CANCEL_WORDS.has(first) || (first === 'never' && plainWord(words[1]) === 'mind');
  // "cancel R-7K2M9QXA" withdraws that request: the command, not the end of the questions.
  if (!starts || REQUEST_ID_START.test(words[1] ?? '')) return false;
  return words.length <= (first === 'stop' ? STOP_MAX_WORDS : CANCEL_MAX_WORDS);
}

function validName(parse: (text: string) => unknown, word: string | undefined): boolean {
  if (!word) return false;
  try {
    parse(word);
    return true;
  } catch (err) {
    if (isUserFacing(err)) return false;
    throw err;
  }
}

const validPair = (cluster?: string, registry?: string): boolean =>
  validName(parseClusterRef, cluster) && validName(parseRegistryRef, registry);

/** Whether a parsed command, with the words it was typed with, has a command's shape. */
function hasCommandShape(command: Command, args: readonly string[]): boolean {
  // A command word alone is shorter than any reason (8 characters): it can only be the command.
  if (args.length === 0) return command.verb !== 'unknown';
  switch (command.verb) {
    case 'grant':
    case 'secret':
      // "Grant needed for the nightly deploy" is a reason; "grant aks-dev contosoacr" starts over,
      // and so does "grant aks-dev" (filed as a reason, it would be a request nobody meant).
      if (args.length === 1) return validName(parseClusterRef, command.cluster);
      return validPair(command.cluster, command.registry);
    // "revoke R-7K2M9QXA. no longer needed" parses as a pair: the id with a full stop is named
    // as the problem by the revoke, not filed as a reason.
    case 'revoke':
    case 'extend':
    case 'status':
    case 'pending':
    case 'cancel':
      return REQUEST_ID_START.test(args[0]);
    case 'audit':
      return (
        args.length === 1 && (REQUEST_ID_START.test(args[0]) || /^\d+$/.test(args[0]) || /^verify$/i.test(args[0]))
      );
    case 'access':
      if (command.kind)
        return (
          args.length === 2 &&
          validName(command.kind === 'cluster' ? parseClusterRef : parseRegistryRef, command.target)
        );
      return args.length === 1 && (validName(parseClusterRef, args[0]) || validName(parseRegistryRef, args[0]));
    case 'check':
    case 'policy':
      return args.length === 2 && validPair(command.cluster, command.registry);
    // "pause …" keeps its own guard (it pauses nothing after a question: acr-bot.ts).
    case 'pause':
      return true;
    default:
      // help, resume and unknown words with text after them: a reason ("help the payments team…").
      return false;
  }
}

/**
 * A reply that does not parse: read as the command (whose error is then shown, the question
 * kept) only when it names what the command acts on, as `revoke R-7K2M9QXA. no longer needed` or
 * `grant aks-dev contosoacr --for2h deploy` do.
 */
function refusedCommandShape(words: readonly string[]): boolean {
  const verb = plainWord(words[0]);
  if (verb === 'grant' || verb === 'secret') return validPair(words[1], words[2]);
  if (['revoke', 'extend', 'status', 'pending', 'cancel'].includes(verb)) return REQUEST_ID_START.test(words[1] ?? '');
  return false;
}

/** Reads a reply to the reason question (the text as a command would be read, mention removed). */
export function readReasonReply(text: string): ReasonReply {
  if (isCancelReply(text)) return 'cancel';
  const words = splitCommandWords(text);
  if (words.length === 0) return 'answer';
  let command: Command;
  try {
    command = parseCommand(text);
  } catch (err) {
    if (!isUserFacing(err)) throw err;
    return refusedCommandShape(words) ? 'command' : 'answer';
  }
  return hasCommandShape(command, words.slice(1)) ? 'command' : 'answer';
}

/** Words a greeting starts with. */
const GREETINGS = new Set(['hello', 'hi', 'hey', 'hallo', 'ping', 'yo']);
/** A greeting of at most this many words is no reason ("hello, are you there?"). */
const GREETING_MAX_WORDS = 5;

/**
 * Checks an answer to the reason question beyond the rules of any reason (checkReason): it
 * carries no `--for`, `--expires` or `--break-glass` (or a look-alike), which kept as text would
 * file the request with the default term and no break-glass while its author believes
 * otherwise; and it is not a short greeting, which would be filed as the request's reason.
 */
export function checkReasonAnswer(text: string): void {
  const option = splitCommandWords(text).map(termOrBreakGlassOption).find(Boolean);
  if (option)
    throw new UserFacingError(
      'validation.option',
      `${option} in an answer is not read as an option: options go on the command line. Type "cancel", then the whole request on one line, e.g. "grant CLUSTER REGISTRY --for 2h REASON…".`,
    );
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (GREETINGS.has(plainWord(words[0])) && words.length <= GREETING_MAX_WORDS)
    throw new UserFacingError(
      'validation.reason',
      'That reads as a greeting, not a reason: say why the access is needed, e.g. "deploy payments-api to prod".',
    );
}
