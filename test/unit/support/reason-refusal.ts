/**
 * What `checkReason` makes of a reason, for the tests of what it refuses: the refusal it throws,
 * or undefined when it accepts the reason.
 */
import { UserFacingError } from '../../../src/domain/errors';
import { checkReason } from '../../../src/domain/text';

/** The refusal `checkReason` throws for `raw` (always a UserFacingError), or undefined when it accepts it. */
export function reasonRefusal(raw: string): UserFacingError | undefined {
  try {
    checkReason(raw);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }
}
