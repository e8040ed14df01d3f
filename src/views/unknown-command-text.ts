/**
 * The answer to a first word that is none of acrbot's commands: the word, when it reads like a
 * mistyped command, and the way on when the command was typed but not where acrbot reads it (a
 * `/` or `:` around it, or text before the mention). Nothing is requested in any case.
 */
import { COMMAND_HELP } from '../domain/command';
import { inertText } from './inert-text';

/** A command word with a `/` before it or a `:` after it ("/grant", "grant:"), as typed. */
const PUNCTUATED_COMMAND = /^(\/?)([a-z]+)(:?)$/;

/**
 * The text of the "Unknown command" card for `word` (lower case, as the parser gives it).
 * `commandAfterMention`: the command word that followed acrbot's mention in the middle of the
 * message (bot/message-text.ts), if any.
 */
export function unknownCommandText(word: string, commandAfterMention?: string): string {
  const typed = PUNCTUATED_COMMAND.exec(word);
  if (typed && (typed[1] || typed[3]) && exampleOf(typed[2])) {
    const marks = [typed[1], typed[3]].filter(Boolean).map((m) => `"${m}"`);
    return `"${inertText(word)}" is not an acrbot command: write ${typed[2]} without the ${marks.join(' and ')}, e.g. "${exampleOf(typed[2])}". Nothing was requested.`;
  }
  const example = commandAfterMention ? exampleOf(commandAfterMention) : undefined;
  if (example)
    return `${quotedWord(word)} is not an acrbot command: acrbot reads the first word of a message as the command. Start the message with @acrbot and the command, e.g. "${example}". Nothing was requested.`;
  return `${quotedWord(word)} is not an acrbot command. Type "@acrbot help" to see them all.`;
}

/** The help card's example of `verb`, addressed to acrbot; undefined for a word that is no command. */
function exampleOf(verb: string): string | undefined {
  const help = COMMAND_HELP.find((c) => c.verb === verb);
  return help && `@acrbot ${help.example}`;
}

/**
 * The unknown word, quoted when it reads like a mistyped command (a short word); anything else is
 * not repeated: a connection string or token pasted as a message would come back, in part, on
 * acrbot's card (G12), and stripping its `=` and `:` would not make it less of a secret. Quoted
 * inert like all user text: `www.x.com` would otherwise be a live link on acrbot's card.
 */
function quotedWord(word: string): string {
  return /^[\w.-]{1,24}$/.test(word) ? `"${inertText(word)}"` : 'That';
}
