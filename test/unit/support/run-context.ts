/**
 * A secret run's context for unit tests of the secret runner: `recordCreated` replaces a record
 * of the same kind and name (or id), as the executor's does; audit entries are kept as
 * `action:outcome`.
 */
import type { CreatedObject } from '../../../src/domain/request';
import type { RunContext } from '../../../src/flows/executor';
import { createLogger } from '../../../src/observability/logger';

/** A context whose store already holds `earlier` (an earlier attempt's records). */
export function runContext(earlier: Omit<CreatedObject, 'recordedAt'>[] = []): {
  ctx: RunContext;
  audited: string[];
  created: () => CreatedObject[];
} {
  const created: CreatedObject[] = earlier.map((o) => ({ ...o, recordedAt: '2025-01-15T08:00:00.000Z' }));
  const audited: string[] = [];
  const ctx: RunContext = {
    requestId: 'R-UNITTEST',
    audit: async (event) => void audited.push(`${event.action}:${event.outcome}`),
    recordCreated: async (object) => {
      const same = (o: CreatedObject) =>
        o.kind === object.kind &&
        ((object.name !== undefined && o.name === object.name) || (!!object.id && o.id === object.id));
      created.splice(0, created.length, ...created.filter((o) => !same(o)), {
        ...object,
        recordedAt: '2025-01-15T09:00:00.000Z',
      });
    },
    created: () => [...created],
    checkLease: async () => undefined,
    log: createLogger({ level: 'silent' }),
  };
  return { ctx, audited, created: () => [...created] };
}
