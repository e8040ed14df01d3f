/**
 * Long markup-like input is read in linear time (message-text.ts): `<` without a `>`, and `<at `
 * openings without an end, once made every `<` rescan the rest of the text, so a 240 KB message
 * held the process for over a minute. No timing is asserted: jest's timeout is the guard, which
 * can fire only while this thread is free, so the reading runs in a worker thread (compiled as
 * scripts/run-ts.js compiles TypeScript). What the tags and mentions read as is unchanged (the
 * other message-text tests, and the last test here).
 */
import { resolve } from 'node:path';
import { messageText } from '../../src/bot/message-text';
import { REPO_ROOT, tsWorkers } from '../helpers/ts-worker';

/** Reads each text with messageText and addressedText, then says "done". */
const READER = `
const { messageText, addressedText } = require(workerData.module);
messageText('grant ' + workerData.text);
addressedText({ text: workerData.text, recipient: { id: '28:acrbot', name: 'acrbot' } });
parentPort.postMessage('done');
`;

const runInWorker = tsWorkers();

/** Resolves when a worker has read `text` (never, while the reading takes quadratic time). */
function readInWorker(text: string): Promise<unknown> {
  return runInWorker(READER, { module: resolve(REPO_ROOT, 'src/bot/message-text.ts'), text });
}

test.each([
  ['`<` without a `>`', '<'.repeat(200_000)],
  ['`<at ` openings without an end', '<at '.repeat(120_000)],
  ['`<at x` openings, then a `>` at the very end', `${'<at x'.repeat(120_000)}>`],
  ['mentions without their end tag', '<at>a'.repeat(50_000)],
])('%s is read in linear time', async (_name, text) => {
  expect(await readInWorker(text)).toBe('done');
});

test('tags around long input are still read as before', () => {
  const text = `<at id="0">acrbot</at> grant <b>a</b> b ${'<'.repeat(1_000)} for <at id="1">Alex</at>`;
  expect(messageText(text)).toBe(`grant  a  b ${'<'.repeat(1_000)} for Alex`);
});
