/**
 * Answers cut short: a call matching a rule is carried out and answered with its own success
 * status and headers, but its JSON body loses its last characters, as a proxy or a dropped
 * connection can leave it. The client sees a 2xx whose body does not parse; the write happened.
 * Only successful answers with a body are cut (an error answer goes out whole).
 */
import type { ServerResponse } from 'node:http';
import type { EmulatorReply } from '../http-util';

/** One rule. */
export interface CutAnswerRule {
  /** Operation name as in the request log (e.g. `registries.generateCredentials`). */
  operation: string;
  /** Only calls whose path contains this text (case-insensitive). */
  pathIncludes?: string;
  /** How many matching answers are cut; default 1. */
  count?: number;
  /** Characters dropped from the end of the body; default 3 (enough to break any JSON object). */
  dropChars?: number;
  /**
   * Given the whole body before it is cut, for a test that needs to know what the client
   * received (a password it then looks for in the bot's logs and cards). The emulator keeps none.
   */
  seen?: (body: string) => void;
}

/** Per-emulator table of {@link CutAnswerRule}s, consumed in the order added. */
export class CutAnswers {
  private rules: Array<{ rule: CutAnswerRule; remaining: number }> = [];

  /** Adds a rule. */
  add(rule: CutAnswerRule): this {
    this.rules.push({ rule, remaining: rule.count ?? 1 });
    return this;
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /**
   * Writes `reply`, cut short when it is a success with a body and a rule matches (consuming one
   * of its calls); true when it did, false when the caller writes the reply as usual.
   */
  writeIfCut(res: ServerResponse, operation: string, path: string, reply: EmulatorReply): boolean {
    if (reply.status >= 300 || reply.body === undefined) return false;
    const lowerPath = path.toLowerCase();
    const index = this.rules.findIndex(
      ({ rule }) =>
        rule.operation === operation &&
        (rule.pathIncludes === undefined || lowerPath.includes(rule.pathIncludes.toLowerCase())),
    );
    if (index < 0) return false;
    const active = this.rules[index]!;
    if (--active.remaining <= 0) this.rules.splice(index, 1);
    const whole = JSON.stringify(reply.body);
    active.rule.seen?.(whole);
    const payload = whole.slice(0, Math.max(0, whole.length - (active.rule.dropChars ?? 3)));
    res.writeHead(reply.status, {
      ...reply.headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(payload)),
    });
    res.end(payload);
    return true;
  }
}
