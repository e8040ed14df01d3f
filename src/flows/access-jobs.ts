/**
 * The id of a request's end job and whether that job carries a revocation someone asked for: read
 * by the lifecycle that schedules it and by the break-glass review net and the request service,
 * which must not import the lifecycle (it imports them). No imports but a type, so none cycles.
 */
import type { ScheduledJob } from '../domain/ports';

/** The id of the `access.expire` job that ends `requestId`'s access (and carries a revoke). */
export const accessExpiryJobId = (requestId: string): string => `access.expire:${requestId}`;

/** The end job carries a revocation someone asked for (its payload names who), not a plain expiry. */
export const carriesRevoke = (job: ScheduledJob | undefined): boolean =>
  !!(job?.payload as { by?: unknown } | undefined)?.by;
