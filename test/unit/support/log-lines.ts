/** A logger whose lines are kept parsed, for tests that read what an operator would. */
import { createLogger, type Logger } from '../../../src/observability/logger';

/** pino's level numbers, as the parsed lines carry them. */
export const ERROR = 50;
export const INFO = 30;

/** One parsed log line: its level and message, and whatever else it carries. */
export type LogLine = Record<string, any> & { level: number; msg: string };

/** Lines at `info` and above, parsed (pino writes each line synchronously to `write`). */
export function logLines(): { lines: LogLine[]; logger: Logger } {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return { lines, logger };
}
