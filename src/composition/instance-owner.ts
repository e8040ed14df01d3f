/** Which instance this process is, as the owner of the leases it takes. */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Drawn once per process. Host name and pid alone do not tell instances apart: in a container
 * the bot is pid 1, and two containers may share a host name (a copied deployment, a pod's
 * fixed hostname). Leases are re-entrant for their owner (`exec:`, `audit-card:`), so two such
 * instances would both hold one request's lease and could run it at once.
 */
const PROCESS_ID = randomUUID();

/**
 * The lease owner id of this instance: the given one (tests run several instances in one
 * process), else `<host name>:<pid>:<random id of this process>`. The flows, the scheduler and
 * the card messenger take leases under the same id.
 */
export function instanceOwner(options: { instanceId?: string }): string {
  return options.instanceId ?? `${hostname()}:${process.pid}:${PROCESS_ID}`;
}
