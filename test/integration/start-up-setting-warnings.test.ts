/**
 * The configuration's start warnings (config.ts `warnings`: a misspelt ACRBOT_* name here) are
 * logged by the entry point once the logger exists, at warn level, naming the variable and never
 * its value; the bot starts all the same.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { killAndWait } from '../helpers/bot-process';
import { testWorkDir } from '../helpers/test-work-dir';

const ROOT = join(__dirname, '..', '..');

test('a misspelt ACRBOT_ variable is logged at start, the bot still starts', async () => {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'src', 'index.ts')], {
    cwd: testWorkDir(),
    env: {
      PATH: process.env.PATH,
      ACRBOT_MODE: 'sandbox',
      ACRBOT_STORAGE: 'memory',
      PORT: '0',
      ACRBOT_AUDIT_CHANEL: '19:not-shown@thread.tacv2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  try {
    // Resolves at the listening line, or when the process ends without one (the test then fails below).
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/acrbot listening on/.test(stdout)) resolve();
      });
      child.once('exit', () => resolve());
    });
  } finally {
    await killAndWait(child);
  }
  expect(stdout).toMatch(/acrbot listening on/);
  const lines = stdout.split('\n').filter((l) => l.includes('ACRBOT_AUDIT_CHANEL'));
  expect(lines).toHaveLength(1);
  const logged = JSON.parse(lines[0]) as { level: number; msg: string };
  expect(logged.level).toBe(40);
  expect(logged.msg).toMatch(
    /^configuration: ACRBOT_AUDIT_CHANEL is not a setting acrbot reads, so it does nothing: did you mean ACRBOT_AUDIT_CHANNEL\?/,
  );
  expect(stdout).not.toContain('not-shown');
});
