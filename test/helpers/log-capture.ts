/** A logger whose lines stay in memory, for tests that check what an operator would read. */
import { Writable } from 'node:stream';
import type pino from 'pino';
import { createLogger } from '../../src/observability/logger';

/** Every log line written through {@link LogCapture.logger}, for sentinel scans and assertions. */
export class LogCapture {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk, _enc, done) => {
      this.lines.push(String(chunk));
      done();
    },
  });

  /** A logger at `level` (default debug) writing here. */
  logger(level = 'debug'): pino.Logger {
    return createLogger({ level, destination: this.stream });
  }

  /** The lines as parsed JSON objects. */
  entries(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
