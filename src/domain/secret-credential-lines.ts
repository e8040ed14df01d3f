/**
 * The card lines of a new pull secret's credential, worded once for the new secret's plan
 * (SecretPlanner) and for an extension's rotation (AccessLifecycle.rotationPlan), which makes its
 * credential the same way.
 */
import { formatUtc } from './access-term';
import type { SecretPlan } from './plan';

/** What a new secret's credential is made from: the plan's fields that its lines name. */
export type NewCredentialFacts = Pick<SecretPlan, 'credentialKind' | 'credentialName' | 'repositories' | 'role'> & {
  registry: { name: string };
};

/**
 * The card lines of the credential a secret plan creates: a token gets its own scope map when the
 * access is limited to repositories, an `sp` its own application, service principal, password
 * and role assignment (the runner makes them per request). `expiresAt`: when the password
 * expires (ISO). `rotation`: an extension's, which replaces the credential the secret holds, so
 * its lines say "a new" one.
 */
export function newCredentialLines(facts: NewCredentialFacts, expiresAt: string, rotation = false): string[] {
  // A moment (now + the lifetime), shown to the minute in UTC: a date alone reads a day late west
  // of UTC. These lines are shown from the stored plan and never matched against, so older plans'
  // date-only lines stay as they were.
  const expires = formatUtc(expiresAt);
  const created = rotation ? 'Create a new' : 'Create';
  if (facts.credentialKind === 'token') {
    const limited = facts.repositories.length > 0;
    return [
      ...(limited ? [`Create scope map limited to ${facts.repositories.join(', ')} (pull only)`] : []),
      `${created} ACR token acrbot-REQUEST-ID on ${limited ? 'that scope map' : 'the built-in _repositories_pull scope map'}`,
      `Generate password1 expiring ${expires} (shown to nobody: it goes straight into the secret)`,
    ];
  }
  return [
    // Named like the token line: the application is made per request (applicationDisplayNameFor).
    `${created} Entra application and service principal ${facts.credentialName}-REQUEST-ID`,
    `Add a password expiring ${expires} (shown to nobody)`,
    ...(facts.role
      ? [
          `Assign ${facts.role.name} on ${facts.registry.name} to the service principal (principalType ServicePrincipal)`,
        ]
      : []),
  ];
}
