/**
 * Stand-ins for a CLI's stdout and stderr that keep what is written to them, so an in-process
 * run (the audit CLI, the policy check) is read as an operator reads the real streams.
 */
import { Writable } from 'node:stream';

/** What one run of a CLI printed, and its exit code. */
export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The two streams to hand the CLI, and `printed()`: what each has been sent so far. */
export function capturedStreams(): {
  streams: { stdout: Writable; stderr: Writable };
  printed(): { stdout: string; stderr: string };
} {
  const out = { stdout: '', stderr: '' };
  const sink = (name: keyof typeof out) =>
    new Writable({
      write(chunk, _encoding, done) {
        out[name] += String(chunk);
        done();
      },
    });
  return { streams: { stdout: sink('stdout'), stderr: sink('stderr') }, printed: () => ({ ...out }) };
}
