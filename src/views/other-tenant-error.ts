/**
 * A failed request's stored error as its requester of another tenant than acrbot's own reads it
 * (own-tenant.ts `isOtherTenant`): every request of theirs is refused when made, so a command to
 * ask for access that the error carries ("Meanwhile a pull secret ("@acrbot secret …") …",
 * grant-runner.ts; a drift's "Ask for the access again with "@acrbot grant …"", drifted-access.ts)
 * would only be refused. The error is a whole message written for anyone: what it says stays, and
 * only its sentences naming such a command are left out; the card then says why and the way on
 * (OTHER_TENANT_NO_ASK_AGAIN). Commands that stay theirs (`cancel`, `revoke`, `status`) are kept.
 */
import { OTHER_TENANT_NO_ASK_AGAIN } from './ask-again-command';

/** The commands refused to another tenant's people: each asks for access. */
const REFUSED_COMMAND = /@acrbot\s+(grant|secret|extend)\b/i;

/**
 * Sentence ends: a full stop, question or exclamation mark, and space before the next sentence.
 * Azure names and ids hold no space, so a name's dot (`contosoacr.azurecr.io`) never splits.
 */
const SENTENCE_END = /(?<=[.!?])\s+/;

/**
 * `error` without its sentences that offer `grant`, `secret` or `extend` (a drift's refusal loses
 * its closing "Ask for the access again with …", as withoutAskAgain cuts it for the own tenant's
 * card); undefined when nothing else is left, for the caller's plain words.
 */
export function withoutRefusedCommands(error: string): string | undefined {
  const kept = error
    .split(SENTENCE_END)
    .filter((sentence) => !REFUSED_COMMAND.test(sentence))
    .join(' ')
    .trim();
  return kept === '' ? undefined : kept;
}

/**
 * What a failed request's card says to its requester of another tenant in place of its stored
 * `error` and way on: the error without its refused commands ({@link withoutRefusedCommands}),
 * then why asking again would be refused and the way on. Raw: the card makes it error text.
 */
export function otherTenantFailedText(error: string): string {
  return `${withoutRefusedCommands(error) ?? 'The request failed.'} ${OTHER_TENANT_NO_ASK_AGAIN}`;
}
