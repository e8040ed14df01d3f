/**
 * A request id typed at the end of a sentence ("status R-7K2M9QXA.") is no request id to the
 * commands, which would otherwise answer with their usage or read it as something else (a
 * cluster's name, for `revoke`). Recognised here so the answer can say what was wrong: the
 * punctuation, and the command without it. Nothing is done with such an id.
 */
import { UserFacingError } from './errors';
import { isRequestId } from './identifiers';

/** An id with the punctuation a sentence puts after a word: full stop, comma, colon, a closing bracket. */
const TRAILING_PUNCTUATION = /^(R-[0-9A-Z]{8})([.,;:!?)\]]{1,4})$/i;

/**
 * The refusal for `word` when it is a request id followed by punctuation, or undefined for any
 * other word. `usage` is the command as it would work, with the id in place of `{id}`. The word
 * is quoted back: it is an id and a few punctuation marks, nothing else (the pattern says so).
 */
export function punctuatedRequestId(word: string | undefined, usage: string): UserFacingError | undefined {
  const match = word ? TRAILING_PUNCTUATION.exec(word) : null;
  if (!match || !isRequestId(match[1])) return undefined;
  const id = match[1].toUpperCase();
  return new UserFacingError(
    'validation.requestId',
    `"${word}" is not a request id: the "${match[2]}" after it is not part of it. Type "@acrbot ${usage.replace('{id}', id)}". Nothing was changed.`,
  );
}
