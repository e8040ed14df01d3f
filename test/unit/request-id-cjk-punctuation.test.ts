/**
 * A request id followed by punctuation as a CJK input method types it ("status R-7K2M9QXA。",
 * "R-7K2M9QXA、", full-width "．！", a closing corner bracket): answered as an id with an ASCII
 * full stop after it is (request-id-word.ts `punctuatedRequestId`), naming the marks as typed and
 * the command that works. Before, the word was no id and no mistake either.
 */
import { parseCommand } from '../../src/domain/command';
import { readReasonReply } from '../../src/domain/reason-reply';
import { mistypedRequestId, punctuatedRequestId } from '../../src/domain/request-id-word';

/** The answer `word` gets where `usage` would work: the ASCII case's words, the marks as typed. */
const problem = (word: string, marks: string, usage: string) =>
  `"${word}" is not a request id: the "${marks}" after it is not part of it. Type "@acrbot ${usage}". Nothing was changed.`;

/** Marks after an id, each as typed and what it is. */
const MARKS: Array<[string, string]> = [
  ['。', 'ideographic full stop'],
  ['、', 'ideographic comma'],
  ['｡', 'half-width ideographic full stop'],
  ['．', 'full-width full stop'],
  ['，', 'full-width comma'],
  ['：', 'full-width colon'],
  ['；', 'full-width semicolon'],
  ['！', 'full-width exclamation mark'],
  ['？', 'full-width question mark'],
  ['）', 'full-width closing bracket'],
  ['」', 'closing corner bracket'],
  ['】', 'closing lenticular bracket'],
  ['》', 'closing double angle bracket'],
  ['」。', 'a closing quote and a full stop'],
  ['.。', 'an ASCII and an ideographic full stop'],
  ['.', 'the ASCII full stop, as before'],
];

describe('a request id with CJK or full-width punctuation after it', () => {
  test.each(MARKS)('R-7K2M9QXA%s (%s): the marks are named, and the id to type', (marks) => {
    const word = `R-7K2M9QXA${marks}`;
    const err = punctuatedRequestId(word, 'status {id}');
    expect(err?.code).toBe('validation.requestId');
    expect(err?.message).toBe(problem(word, marks, 'status R-7K2M9QXA'));
    // status and audit answer with mistypedRequestId (info-handlers.ts): the same words.
    expect(mistypedRequestId(word, 'status {id}')?.message).toBe(err?.message);
  });

  test.each([
    ['cancel R-7K2M9QXA。', '"R-7K2M9QXA。" is not a request id: the "。" after it', 'cancel R-7K2M9QXA'],
    ['pending r-7k2m9qxa、', '"r-7k2m9qxa、" is not a request id: the "、" after it', 'pending R-7K2M9QXA'],
    ['pending R-7K2M9QXA．', '"R-7K2M9QXA．" is not a request id: the "．" after it', 'pending R-7K2M9QXA'],
    ['cancel R-7K2M9QXA！', '"R-7K2M9QXA！" is not a request id: the "！" after it', 'cancel R-7K2M9QXA'],
  ])('parseCommand(%j) names the mark and the command that works', (text, named, works) => {
    expect(() => parseCommand(text)).toThrow(named);
    expect(() => parseCommand(text)).toThrow(`Type "@acrbot ${works}". Nothing was changed.`);
  });

  // status, audit, extend and revoke keep the word as typed; their handlers answer it with the
  // functions above (info-handlers.ts, lifecycle-handler.ts), as for "R-7K2M9QXA.".
  test.each([
    ['status R-7K2M9QXA。', { verb: 'status', requestId: 'R-7K2M9QXA。' }],
    ['status R-7K2M9QXA．', { verb: 'status', requestId: 'R-7K2M9QXA．' }],
    ['audit R-7K2M9QXA、', { verb: 'audit', argument: 'R-7K2M9QXA、' }],
  ])('parseCommand(%j) keeps the word for its handler to answer', (text, command) => {
    expect(parseCommand(text)).toEqual(command);
    expect(mistypedRequestId(text.split(' ')[1], 'status {id}')?.code).toBe('validation.requestId');
  });

  test('revoke with such an id is no pair revoke: the handler names the mark', () => {
    const command = parseCommand('revoke R-7K2M9QXA。 no longer needed');
    expect(command).toMatchObject({ verb: 'revoke', cluster: 'R-7K2M9QXA。' });
    expect(punctuatedRequestId('R-7K2M9QXA。', 'revoke {id} REASON…')?.message).toBe(
      problem('R-7K2M9QXA。', '。', 'revoke R-7K2M9QXA REASON…'),
    );
  });

  test('at the reason question, such a line is a command, as with an ASCII full stop', () => {
    expect(readReasonReply('revoke R-7K2M9QXA. no longer needed')).toBe('command');
    expect(readReasonReply('revoke R-7K2M9QXA。 no longer needed')).toBe('command');
    expect(readReasonReply('status R-7K2M9QXA。')).toBe('command');
  });

  test('five marks, or a character ids never use, are still no id with punctuation', () => {
    expect(punctuatedRequestId('R-7K2M9QXA。。。。。', 'status {id}')).toBeUndefined();
    expect(punctuatedRequestId('R-7K2M9QX0。', 'status {id}')).toBeUndefined();
    // Not sentence punctuation: an opening bracket, a middle dot.
    expect(punctuatedRequestId('R-7K2M9QXA「', 'status {id}')).toBeUndefined();
    expect(punctuatedRequestId('R-7K2M9QXA・', 'status {id}')).toBeUndefined();
  });
});
