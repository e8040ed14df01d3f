/**
 * The "typing…" indicator only when the answer is slow. A grant or secret request is planned
 * before it is answered (ARM and Graph reads); when that takes less than {@link TYPING_AFTER_MS}
 * the answer itself arrives before an indicator would mean anything, so the Bot Connector call
 * (and its wait before planning starts) is saved (docs/performance.md, P8). A slower answer
 * shows the indicator as before, and always before the answer.
 */
import type { TurnContext } from 'botbuilder';

/** How long an answer may take before the user sees "typing…". */
export const TYPING_AFTER_MS = 1_000;

/**
 * Starts the clock for `ctx`'s answer. Call the returned function before sending the answer:
 * it cancels the indicator if it was not sent yet, or waits until it was (so it never follows
 * the answer), and rethrows its failure.
 */
export function typingWhenSlow(ctx: Pick<TurnContext, 'sendActivity'>, afterMs = TYPING_AFTER_MS): () => Promise<void> {
  let sent: Promise<unknown> | undefined;
  let failure: { err: unknown } | undefined;
  let answered = false;
  const timer = setTimeout(() => {
    if (answered) return;
    // Caught here so a failure is neither an uncaught exception in this timer (a turn that
    // ended meanwhile throws synchronously) nor an unhandled rejection while planning goes on;
    // the answer's caller gets it.
    try {
      sent = ctx.sendActivity({ type: 'typing' }).catch((err: unknown) => void (failure = { err }));
    } catch (err) {
      failure = { err };
    }
  }, afterMs);
  timer.unref();
  return async () => {
    answered = true;
    clearTimeout(timer);
    if (sent) await sent;
    if (failure) throw new Error('the typing indicator could not be sent', { cause: failure.err });
  };
}
