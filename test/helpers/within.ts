/**
 * Awaiting an event with a bound. A test that awaits the event's promise alone waits for it as
 * soon as it comes, but when it never comes Jest ends the test at its timeout without a word of
 * what it waited for; this fails at the bound instead, naming the event.
 */

/** Resolves as `event` does, or rejects `timed out waiting for <what>` after `timeoutMs`. */
export async function within<T>(event: Promise<T>, what: string, timeoutMs = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([event, late]);
  } finally {
    clearTimeout(timer);
  }
}
