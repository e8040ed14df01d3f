/**
 * ARM's 403 body (CONTRACTS §3.1) as the ARM emulator answers the sandbox's own identity, for
 * tests that compare a refusal word for word.
 */
import { SANDBOX_BOT_OBJECT_ID } from '../../src/sandbox/fixtures';

/** The `AuthorizationFailed` body for `action` over `scope`, the caller being acrbot's sandbox identity. */
export function armAuthorizationFailed(action: string, scope: string) {
  return {
    error: {
      code: 'AuthorizationFailed',
      message: `The client '${SANDBOX_BOT_OBJECT_ID}' with object id '${SANDBOX_BOT_OBJECT_ID}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    },
  };
}
