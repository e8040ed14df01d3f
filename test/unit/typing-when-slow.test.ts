import { TYPING_AFTER_MS, typingWhenSlow } from '../../src/bot/typing-when-slow';

/** A turn that records what it sends, in order. */
function turn() {
  const sent: string[] = [];
  return {
    sent,
    ctx: {
      sendActivity: async (activity: unknown) => {
        sent.push((activity as { type: string }).type);
        return { id: `a-${sent.length}` };
      },
    } as unknown as Parameters<typeof typingWhenSlow>[0],
  };
}

describe('typingWhenSlow', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('an answer ready before TYPING_AFTER_MS goes without the indicator, also later', async () => {
    const { ctx, sent } = turn();
    const beforeAnswer = typingWhenSlow(ctx);
    jest.advanceTimersByTime(TYPING_AFTER_MS - 1);
    await beforeAnswer();
    await ctx.sendActivity({ type: 'message' });
    jest.advanceTimersByTime(10 * TYPING_AFTER_MS);
    expect(sent).toEqual(['message']);
  });

  test('a slow answer shows the indicator once, and the answer waits until it was sent', async () => {
    const sent: string[] = [];
    let release: () => void = () => undefined;
    const ctx = {
      // The connector takes its time with the indicator: it counts as sent only when released.
      sendActivity: (activity: { type: string }) =>
        activity.type === 'typing'
          ? new Promise((resolve) => (release = () => resolve(sent.push('typing'))))
          : Promise.resolve(sent.push(activity.type)),
    } as unknown as Parameters<typeof typingWhenSlow>[0];
    const beforeAnswer = typingWhenSlow(ctx);
    jest.advanceTimersByTime(TYPING_AFTER_MS);
    let ready = false;
    const waiting = beforeAnswer().then(() => (ready = true));
    await Promise.resolve();
    expect(ready).toBe(false);
    release();
    await waiting;
    await ctx.sendActivity({ type: 'message' });
    jest.advanceTimersByTime(10 * TYPING_AFTER_MS);
    expect(sent).toEqual(['typing', 'message']);
  });

  test("the indicator's failure reaches the answer's caller", async () => {
    const ctx = {
      sendActivity: () => Promise.reject(new Error('connector said 502')),
    } as unknown as Parameters<typeof typingWhenSlow>[0];
    const beforeAnswer = typingWhenSlow(ctx);
    jest.advanceTimersByTime(TYPING_AFTER_MS);
    await expect(beforeAnswer()).rejects.toThrow('the typing indicator could not be sent');
  });

  test('a turn that ended before the indicator was due throws nothing out of the timer', async () => {
    const ctx = {
      sendActivity: () => {
        throw new TypeError("Cannot perform 'get' on a proxy that has been revoked");
      },
    } as unknown as Parameters<typeof typingWhenSlow>[0];
    const beforeAnswer = typingWhenSlow(ctx);
    expect(() => jest.advanceTimersByTime(TYPING_AFTER_MS)).not.toThrow();
    await expect(beforeAnswer()).rejects.toThrow('the typing indicator could not be sent');
  });
});
