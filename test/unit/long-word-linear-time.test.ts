/**
 * One long word is read in linear time: "a run of punctuation at the end of a word" written as
 * `[…]+$` is tried from every start of the run, so a single word of 28,000 colons (a Teams
 * message) held the process for seconds in the command word (command.ts `verbOf`), a reply's
 * words (reason-reply.ts) and the filler before a mention (message-text.ts); a duration with a
 * long run of blanks did the same (config/duration.ts). No timing is asserted: jest's timeout is
 * the guard, which can fire only while this thread is free, so the reading runs in a worker
 * thread (compiled as scripts/run-ts.js compiles TypeScript), on input long enough that the old
 * reading takes minutes. What normal words read as is unchanged (the last tests here, and the
 * command, reason-reply, message-text and duration tests).
 */
import { resolve } from 'node:path';
import { addressedText } from '../../src/bot/message-text';
import { parseDurationMs } from '../../src/config/duration';
import { asSentence } from '../../src/domain/text';
import { parseCommand } from '../../src/domain/command';
import { isCancelReply, lookalikeCommand } from '../../src/domain/reason-reply';
import { REPO_ROOT, tsWorkers } from '../helpers/ts-worker';

/** Calls `fn` of `module` with `args` (a thrown refusal is an answer too), then says "done". */
const CALLER = `
try {
  require(workerData.module)[workerData.fn](...workerData.args);
} catch {}
parentPort.postMessage('done');
`;

const runInWorker = tsWorkers();

/** Resolves when a worker has called `fn` (never, while it takes quadratic time). */
function callInWorker(module: string, fn: string, ...args: unknown[]): Promise<unknown> {
  return runInWorker(CALLER, { module: resolve(REPO_ROOT, module), fn, args });
}

/** Long enough that the quadratic reading takes minutes (28,000 took one to two seconds). */
const N = 400_000;
const MENTION = '<at>acrbot</at>';

test.each<[string, string, string, unknown[]]>([
  ['the command word, one word of colons', 'src/domain/command.ts', 'parseCommand', [`${':'.repeat(N)}x`]],
  [
    'a reply at the reason question, one word of colons',
    'src/domain/reason-reply.ts',
    'readReasonReply',
    [`${':'.repeat(N)}x`],
  ],
  [
    'a reply whose words are read bare (cancel?)',
    'src/domain/reason-reply.ts',
    'isCancelReply',
    [`a${':'.repeat(N)}a`],
  ],
  [
    "a reply's last word, a run of full stops",
    'src/domain/reason-reply.ts',
    'lookalikeCommand',
    [`grant a ${'.'.repeat(N)}x`],
  ],
  [
    'the words before a mention, a run of commas',
    'src/bot/message-text.ts',
    'addressedText',
    [
      {
        text: `${','.repeat(N)}x ${MENTION} help`,
        entities: [{ type: 'mention', mentioned: { id: '28:acrbot' }, text: MENTION }],
        recipient: { id: '28:acrbot', name: 'acrbot' },
      },
    ],
  ],
  ['a duration with a run of blanks', 'src/config/duration.ts', 'parseDurationMs', [`1${' '.repeat(N)}x`]],
  ['an error message made a sentence, a run of ". "', 'src/domain/text.ts', 'asSentence', [`${'. '.repeat(N / 2)}x`]],
])('%s is read in linear time', async (_name, module, fn, args) => {
  expect(await callInWorker(module, fn, ...args)).toBe('done');
});

test('words with punctuation at their end read as before', () => {
  expect(parseCommand('Help.')).toEqual({ verb: 'help' });
  expect(parseCommand('Cancel!?')).toMatchObject({ verb: 'cancel' });
  expect(isCancelReply('never mind, my mistake!!')).toBe(true);
  expect(isCancelReply('--stop-- ...please...')).toBe(true);
  expect(lookalikeCommand('check aks-prod contosoacr?!.')).toBeDefined();
  const mention = { entities: [{ type: 'mention', mentioned: { id: 'b' }, text: MENTION }], recipient: { id: 'b' } };
  expect(addressedText({ text: `Hey,,! ok. ${MENTION} status`, ...mention })).toBe('status');
  expect(addressedText({ text: `hey: there ${MENTION} status`, ...mention })).toBe(`hey: there  status`);
});

test('an error message is made one sentence as before', () => {
  expect(asSentence('It failed')).toBe('It failed.');
  expect(asSentence('It failed. . \n')).toBe('It failed.');
  expect(asSentence('v1.2 failed...')).toBe('v1.2 failed.');
});

test('durations read as before', () => {
  expect(parseDurationMs('  90 D ')).toBe(90 * 86_400_000);
  expect(parseDurationMs('45')).toBe(45_000);
  expect(parseDurationMs('45 ')).toBe(45_000);
  expect(parseDurationMs('2h')).toBe(7_200_000);
  expect(parseDurationMs('2 x')).toBeUndefined();
  expect(parseDurationMs('h')).toBeUndefined();
  expect(parseDurationMs('0d')).toBeUndefined();
});
