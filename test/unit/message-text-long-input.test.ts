/**
 * Long markup-like input is read in linear time (message-text.ts): `<` without a `>`, and `<at `
 * openings without an end, once made every `<` rescan the rest of the text, so a 240 KB message
 * held the process for over a minute. No timing is asserted: jest's timeout is the guard, which
 * can fire only while this thread is free, so the reading runs in a worker thread (compiled as
 * scripts/run-ts.js compiles TypeScript). What the tags and mentions read as is unchanged (the
 * other message-text tests, and the last test here).
 */
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { messageText } from '../../src/bot/message-text';

/** Reads each text with messageText and addressedText, then says "done". */
const READER = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { transformSync } = require(require.resolve('@swc/core', { paths: [workerData.root] }));
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
const { messageText, addressedText } = require(workerData.module);
messageText('grant ' + workerData.text);
addressedText({ text: workerData.text, recipient: { id: '28:acrbot', name: 'acrbot' } });
parentPort.postMessage('done');
`;

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

/** Resolves when a worker has read `text` (never, while the reading takes quadratic time). */
function readInWorker(text: string): Promise<unknown> {
  const root = resolve(__dirname, '../..');
  const worker = new Worker(READER, {
    eval: true,
    workerData: { root, module: resolve(root, 'src/bot/message-text.ts'), text },
  });
  workers.push(worker);
  return new Promise((done, fail) => {
    worker.once('message', done);
    worker.once('error', fail);
  });
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
