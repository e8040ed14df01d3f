/**
 * What acrbot tells a user of another allowed tenant instead of a way it refuses them, in words
 * the tab's page shows too: a leaf with no imports, so the browser bundle (web/) takes the words
 * without the rules behind them (own-tenant.ts, whose imports reach Node's crypto). Pure.
 */

/** The way on for another tenant's people: a guest account in acrbot's organisation, or its platform team. */
export const OTHER_TENANT_ASK_INSTEAD =
  "To ask for access, switch Teams to acrbot's organisation with a guest account you have there and ask again, or ask its platform team.";

/**
 * What an expiry reminder (and the tab) says instead of Extend to a requester of another tenant,
 * of access an earlier release granted them (their extension is refused as any request of theirs
 * is): why, in the creation refusal's words, and the way on (the card says it ends at its end).
 */
export const OTHER_TENANT_NO_EXTEND_NOTE = `acrbot's approvers are people of its own organisation's directory, and you are a user of another tenant, so nobody can approve an extension from there and your access cannot be extended here. ${OTHER_TENANT_ASK_INSTEAD}`;
