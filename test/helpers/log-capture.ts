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

  /**
   * The one error line `msg` written for an Azure refusal of `requestId`: its code beside the
   * serialised `CloudApiError` (type, code, HTTP status) and the correlation id.
   */
  azureFailureLine(msg: string, requestId: string, code: string, statusCode: number): Record<string, unknown> {
    const lines = this.entries().filter((e) => e.msg === msg);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      requestId,
      code,
      correlationId: expect.any(String),
      err: expect.objectContaining({ type: 'CloudApiError', code, statusCode }),
    });
    return lines[0];
  }
}
