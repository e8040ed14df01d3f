/**
 * The logger restify is given. restify 11 logs through pino but still asks its logger, bunyan's
 * way, whether a level is on: `if (res.log.trace()) res.log.trace({ res }, 'response sent')`.
 * pino knows no such question: a level method called with nothing writes a line without a
 * message, so at LOG_LEVEL=trace every request left two empty records (`{"level":10,…}`).
 */
import type { Logger } from './logger';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * `log`, changed in place so that a level method called with no arguments writes nothing and
 * answers `false`. False, not whether the level is on: the lines behind those questions log a
 * whole response (its headers, its body, the ServerResponse object), which restify under pino
 * never wrote either. A call with anything to log is passed on unchanged. pino sets the level
 * methods on each logger when its level is set, so `log` must not have its level changed later.
 */
export function withoutLevelQueries(log: Logger): Logger {
  for (const level of LEVELS) {
    const write = log[level] as (...args: unknown[]) => void;
    const answering = function (this: Logger, ...args: unknown[]): unknown {
      if (args.length === 0) return false;
      return write.apply(this, args);
    };
    log[level] = answering as unknown as Logger[typeof level];
  }
  return log;
}
