/** Which instance this process is, as the owner of the leases it takes. */
import { hostname } from 'node:os';

/**
 * The lease owner id of this instance: the given one (tests run several instances in one
 * process), else host name and pid. The flows, the scheduler and the card messenger take leases
 * under the same id.
 */
export function instanceOwner(options: { instanceId?: string }): string {
  return options.instanceId ?? `${hostname()}:${process.pid}`;
}
