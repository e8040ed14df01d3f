/**
 * The request id of a failed Azure or Microsoft Graph call, for the audit entry of the step it
 * failed (`correlationIds`): what Azure's Activity Log or Entra's audit log finds that refusal
 * by, as a deletion's entry carries its DELETE's. Only a {@link CloudApiError}'s (ARM's
 * `x-ms-request-id`, Graph's `request-id`): other errors' `requestId` (a request store's
 * conflict names acrbot's own request) is not a service's.
 */
import { causesOf } from '../domain/error-causes';
import { CloudApiError } from '../domain/ports';

/** The first {@link CloudApiError} request id down `err`'s causes, as a list (empty when none). */
export function failureRequestIds(err: unknown): string[] {
  for (const e of causesOf(err))
    if (e instanceof CloudApiError && typeof e.requestId === 'string' && e.requestId) return [e.requestId];
  return [];
}
