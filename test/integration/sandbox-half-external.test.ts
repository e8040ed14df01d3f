/**
 * Sandbox mode with only one of ACRBOT_ARM_ENDPOINT and ACRBOT_GRAPH_ENDPOINT: the sandbox's ARM
 * and Graph emulators are started together or not at all, so the process refuses to start as
 * with any other setting problem (exit 2, both settings named), rather than starting no emulator
 * and dying on a TypeError (`reading 'graphUrl'` of an undefined sandbox).
 */
import { spawnBot } from '../helpers/bot-process';

describe('sandbox mode with one external emulator endpoint', () => {
  test.each([
    ['ACRBOT_ARM_ENDPOINT', 'ACRBOT_GRAPH_ENDPOINT'],
    ['ACRBOT_GRAPH_ENDPOINT', 'ACRBOT_ARM_ENDPOINT'],
  ])('%s alone: exit 2 naming both settings, no TypeError', async (set, unset) => {
    const failure = await spawnBot({
      PATH: process.env.PATH,
      ACRBOT_MODE: 'sandbox',
      ACRBOT_STORAGE: 'memory',
      PORT: '0',
      // Nothing listens there: a start that got as far as calling it would fail otherwise.
      [set]: 'https://127.0.0.1:9',
    }).then(
      () => {
        throw new Error(`the bot started with ${set} alone`);
      },
      (err: Error) => err.message,
    );
    expect(failure).toMatch(/^bot exited 2: acrbot cannot start; fix these settings:\n/);
    expect(failure).toContain(`  - ${set} is set without ${unset}: in sandbox mode the ARM and Graph emulators`);
    expect(failure).not.toMatch(/TypeError|\n\s+at /);
  });
});
