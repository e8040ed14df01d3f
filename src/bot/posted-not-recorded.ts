/**
 * A card Teams accepted whose record then failed in the store (its card copy): the post is out,
 * so a caller must not tell anyone it "could not be posted", and the store's error (same shape
 * and status as Teams' own) must not be read as Teams'. The store's error is its `cause`.
 */
export class PostedNotRecorded extends Error {
  constructor(
    /** The id Teams gave the posted activity. */
    readonly activityId: string,
    cause: unknown,
  ) {
    const said = (cause as { message?: unknown } | undefined)?.message;
    super(`the card was posted but could not be recorded${typeof said === 'string' && said ? `: ${said}` : ''}`, {
      cause,
    });
    this.name = 'PostedNotRecorded';
  }
}
