/**
 * What the plan-refusal suites (stopped clusters, registries being deleted, clusters with local
 * accounts) check against the sandbox: the reply to a requester's command, and everything acrbot
 * could have written in Azure, Graph or on the registry, to compare before and after.
 */
import { cardText } from './capturing-connector';
import { type Harness, users } from './harness';

/** The requester says `text`; resolves to the text of the first reply (not an update) matching `pattern`. */
export async function replyMatching(harness: Harness, text: string, pattern: RegExp): Promise<string> {
  const before = harness.connector.calls.length;
  await harness.say(users.requester, text);
  const reply = await harness.connector.waitFor(
    (c) => harness.connector.calls.indexOf(c) >= before && c.op !== 'update' && pattern.test(cardText(c.activity)),
    5000,
    `a reply matching ${pattern}`,
  );
  return cardText(reply.activity);
}

/** Counts of what acrbot could have written: ARM and Graph writes, the registry's tokens and role assignments. */
export function azureWrites(harness: Harness, registryId: string) {
  const sandbox = harness.app.sandbox!;
  return {
    arm: sandbox.arm.requests.filter((r: { method: string }) => r.method !== 'GET').length,
    graph: sandbox.graph.requests.filter((r: { method: string }) => r.method !== 'GET').length,
    tokens: sandbox.arm.state.listTokens(registryId).length,
    assignments: sandbox.arm.state.listRoleAssignments(registryId).length,
  };
}
