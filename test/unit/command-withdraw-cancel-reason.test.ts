/**
 * `withdraw REQUEST-ID` (Withdraw my approval typed) and `cancel REQUEST-ID REASON…` as the parser
 * reads them, and the cancel reason's rule (RequestService `cancelReason`): ids read as every
 * command reads them (without a dash, mistyped ones named), and a reason kept as typed for the
 * flow, which checks it as every reason.
 */
import { parseCommand } from '../../src/domain/command';
import { isUserFacing } from '../../src/domain/errors';
import { cancelReason } from '../../src/flows/request-service';

/** The refusal `fn` throws: its code and message. */
function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isUserFacing(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('not refused');
}

describe('withdraw REQUEST-ID', () => {
  test.each([
    ['withdraw R-7K2M9QXA', 'R-7K2M9QXA'],
    ['withdraw r-7k2m9qxa', 'R-7K2M9QXA'],
    ['Withdraw r7k2m9qxa', 'R-7K2M9QXA'],
    ['withdraw: R-7K2M9QXA', 'R-7K2M9QXA'],
    ['withdraw R\u20117K2M9QXA', 'R-7K2M9QXA'],
  ])('%j is the withdraw of %s', (text, requestId) => {
    expect(parseCommand(text)).toEqual({ verb: 'withdraw', requestId });
  });

  test('alone it says how to use it; nothing is done', () => {
    const { code, message } = refusal(() => parseCommand('withdraw'));
    expect(code).toBe('validation.usage');
    expect(message).toContain('"withdraw REQUEST-ID"');
  });

  test('words after the id are refused, not dropped: the click takes no reason', () => {
    const { code, message } = refusal(() => parseCommand('withdraw r-7k2m9qxa approved the wrong one'));
    expect(code).toBe('validation.usage');
    expect(message).toBe(
      '"withdraw" takes the request id alone: "withdraw R-7K2M9QXA" takes back your approval of it. Nothing was changed.',
    );
  });

  test.each(['withdraw R-7K2M9QX0', 'withdraw R-7K2M9QXA.', 'withdraw R-7K2M9Q'])(
    '%j is named as a mistyped id',
    (text) => {
      const { code, message } = refusal(() => parseCommand(text));
      expect(code).toBe('validation.requestId');
      expect(message).toContain('is not a request id');
      expect(message).toContain('withdraw ');
    },
  );

  test('its usage on asking', () => {
    expect(parseCommand('withdraw --help')).toEqual({ verb: 'help', about: 'withdraw' });
    expect(parseCommand('help withdraw')).toEqual({ verb: 'help', about: 'withdraw' });
  });
});

describe('cancel REQUEST-ID REASON…', () => {
  test.each([
    ['cancel R-7K2M9QXA asked for the wrong registry', 'asked for the wrong registry'],
    ['stop r7k2m9qxa wrong registry, sorry', 'wrong registry, sorry'],
    ['cancel r-7k2m9qxa', undefined],
  ])('%j keeps the reason as typed (%j)', (text, reason) => {
    expect(parseCommand(text)).toEqual({ verb: 'cancel', requestId: 'R-7K2M9QXA', reason });
  });

  test('a mistyped id before a reason is named, not answered with the usage', () => {
    const { code, message } = refusal(() => parseCommand('cancel R-7K2M9QX0 asked for the wrong registry'));
    expect(code).toBe('validation.requestId');
    expect(message).toContain('"R-7K2M9QX0" is not a request id');
  });

  test('words without an id still get the usage', () => {
    const { code, message } = refusal(() => parseCommand('cancel the request please'));
    expect(code).toBe('validation.usage');
    expect(message).toContain('"cancel REQUEST-ID"');
  });
});

describe('the cancel reason rule', () => {
  test('a reason is kept on one line, cleaned', () => {
    expect(cancelReason('  asked for the\nwrong registry ')).toBe('asked for the wrong registry');
  });

  test.each([
    ['too short', 'oops', 'validation.reason', 'in at least 8 characters'],
    ['the placeholder', 'REASON…', 'validation.reason', "is the usage's placeholder"],
    ['too long', 'x'.repeat(501), 'validation.reason', 'Nothing was cancelled.'],
    ['a credential', 'wrong one password=Sup3rS3cretValue!', 'validation.secret', 'Nothing was cancelled.'],
  ])('%s is refused, saying nothing was cancelled', (_what, raw, code, says) => {
    const refused = refusal(() => cancelReason(raw));
    expect(refused.code).toBe(code);
    expect(refused.message).toContain(says);
    expect(refused.message.toLowerCase()).toContain('nothing was cancelled');
    expect(refused.message).not.toContain('Sup3rS3cretValue');
  });
});
