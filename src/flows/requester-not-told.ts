/**
 * The code of the error a message to the requester throws when its post did not go out
 * (LifecycleMessenger.tellRequester with `reportFailure`): the chat layer throws it
 * (bot/requester-messages.ts, the post's failure its cause), the end notice reads it to tell a
 * failed post from a failure before it (access-end-notice.ts). One constant, so the two cannot
 * drift apart: a code changed on one side only would make every failed end notice read as one
 * that failed before its post.
 */

/** A post to the requester that did not go out (UserFacingError's code). */
export const REQUESTER_NOT_TOLD_CODE = 'requester.notTold';
