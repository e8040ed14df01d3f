/**
 * A crash of the process — an exception nothing caught, a promise rejection nothing handled — is
 * one line of acrbot's logger (redacted, with the correlation id of the work it came from), not
 * Node's stack trace on stderr, and the process still exits 1 as Node's default would.
 *
 * The process runs `src/index.ts` with a preload that wraps `startApp` (written to a temporary
 * directory): once the app listens it crashes as `TEST_CRASH` says, inside the correlation id
 * `turn-crash`, with an error that carries a secret in its request's headers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killAndWait } from '../helpers/bot-process';
import { startAppHookPreload } from '../helpers/start-app-hook';
import { TempDirs } from '../helpers/temp-dirs';
import { testWorkDir } from '../helpers/test-work-dir';

const ROOT = join(__dirname, '..', '..');
const SECRET = 'SENTINEL-crash-41b7';

/** Wraps startApp of src/app.ts; absolute paths: the bot runs in the test working directory. */
const PRELOAD = startAppHookPreload(
  `
      const { withCorrelation } = require(${JSON.stringify(join(ROOT, 'src', 'observability', 'correlation.ts'))});
      const err = Object.assign(new Error('HOOK: crashed'), {
        config: { headers: { Authorization: 'Bearer ${SECRET}' } },
        password: '${SECRET}',
      });
      withCorrelation(() => {
        if (process.env.TEST_CRASH === 'exception') setImmediate(() => { throw err; });
        else void Promise.reject(err);
      }, 'turn-crash');
`,
  { appFile: join(ROOT, 'src', 'app.ts') },
);

describe('a crash of the process', () => {
  const temp = new TempDirs();
  const children: ChildProcess[] = [];
  afterAll(async () => {
    try {
      for (const child of children) await killAndWait(child);
    } finally {
      temp.removeAll();
    }
  });

  /** Runs the bot until it exits; answers its exit code and everything it wrote. */
  function crash(how: 'exception' | 'rejection'): Promise<{ code: number | null; out: string; err: string }> {
    const preload = join(temp.make('acrbot-crash-'), 'preload.js');
    writeFileSync(preload, PRELOAD);
    const child = spawn(
      process.execPath,
      ['-r', preload, join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'src', 'index.ts')],
      {
        // Not the repository: the bot would read its .env and write its .data/ (test-work-dir.ts).
        cwd: testWorkDir(),
        env: { PATH: process.env.PATH, ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory', PORT: '0', TEST_CRASH: how },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
  }

  const lines = (out: string) =>
    out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, any>);

  test.each([
    ['exception', 60, 'uncaught exception; exiting'],
    // Fatal too: the process exits after it as after an exception.
    ['rejection', 60, 'unhandled promise rejection; exiting'],
  ] as const)('an uncaught %s: one redacted line with the correlation id, then exit 1', async (how, level, msg) => {
    const { code, out, err } = await crash(how);
    expect(code).toBe(1);
    const crashed = lines(out).filter((e) => JSON.stringify(e).includes('HOOK: crashed'));
    expect(crashed).toEqual([
      expect.objectContaining({
        level,
        msg,
        correlationId: 'turn-crash',
        err: expect.objectContaining({ message: 'HOOK: crashed', password: '[redacted]' }),
      }),
    ]);
    // Not Node's own report, which would print the error with its secret on stderr.
    expect(err).not.toContain('HOOK: crashed');
    expect(out + err).not.toContain(SECRET);
  });
});
