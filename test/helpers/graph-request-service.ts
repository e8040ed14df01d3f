/**
 * A RequestService over GraphDirectory (the Graph emulator, or any GraphClient) with one policy
 * rule, on memory stores and a fake clock at 2026-11-30 09:00, its warnings kept as parsed
 * lines: for tests of what the service asks Entra about approvers.
 */
import type { PolicyRule } from '../../src/domain/policy';
import { RequestService } from '../../src/flows/request-service';
import type { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphDirectory } from '../../src/integrations/graph/graph-directory';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from '../unit/support/fake-clock';
import { policy, settings } from '../unit/support/policy-fixtures';

/** The service with its policy fixed to `theRule`, and its clock, stores, log and logged lines. */
export function graphRequestService(graph: GraphClient, theRule: PolicyRule) {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({
    level: 'warn',
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  const service = new RequestService(
    store,
    audit,
    new GraphDirectory(graph),
    clock,
    settings,
    { requestChanged: async () => undefined },
    log,
    undefined,
    { current: () => policy([theRule]) },
  );
  return { clock, store, audit, lines, log, service };
}
