/**
 * "Does this person approve this request?" asked of a list at once (pending in chat, My access
 * and the revoke buttons in the tab): once the person is not the request's requester, the answer
 * depends only on the approvers of its rule (users and groups, a directory lookup each), so it is
 * asked once per distinct set of approvers, not once per request.
 */
import type { PolicyRule } from '../domain/policy';
import type { AccessRequest } from '../domain/request';

/**
 * `ask`, answered once per distinct approvers of `ruleOf(request)` (a request without a rule is
 * asked on its own). Callers leave out the person's own requests first: `ask` says no to a
 * requester, and that answer must not stand for another request under the same rule.
 */
export function askedOncePerApprovers(
  ruleOf: (request: AccessRequest) => PolicyRule | undefined,
  ask: (request: AccessRequest) => Promise<boolean>,
): (request: AccessRequest) => Promise<boolean> {
  const asked = new Map<string, Promise<boolean>>();
  return (request) => {
    const approvers = ruleOf(request)?.approvers;
    const key = approvers ? JSON.stringify([approvers.users, approvers.groups]) : `request:${request.id}`;
    let answer = asked.get(key);
    if (!answer) asked.set(key, (answer = ask(request)));
    return answer;
  };
}
