/**
 * `policy CLUSTER REGISTRY`: which approval rules apply to a pair and who can approve, before
 * anyone asks: a grant's and, where they differ, its pull secrets'. Resolves both resources
 * (their tags take part in matching) and asks the policy. A user of another allowed tenant than
 * acrbot's own is told that their requests are refused instead (own-tenant.ts): no rule applies
 * to them, and nothing is resolved or shown for them.
 */
import type { TurnContext } from 'botbuilder';
import { isOtherTenant } from '../../domain/own-tenant';
import { rulesForPair } from '../../domain/policy-overview';
import { messageCard } from '../../views/message-view';
import { otherTenantPolicyCard, policyCard } from '../../views/policy-view';
import type { AdaptiveCardJson } from '../../views/card-templates';
import type { BotServices } from '../bot-services';
import { errorCardFor, sendCard } from '../turn-cards';
import type { TurnIdentity } from '../turn-identity';
import { auditValidationFailure } from '../validation-audit';

/** Handles the `policy` command. */
export class PolicyHandler {
  constructor(private readonly services: BotServices) {}

  async show(
    ctx: TurnContext,
    identity: TurnIdentity,
    cluster: string | undefined,
    registry: string | undefined,
  ): Promise<void> {
    await sendCard(ctx, await this.card(identity, cluster, registry), this.services.log);
  }

  /**
   * The card for a pair (or the usage when one is missing). A name that breaks the rules of
   * names is audited as `validation.failed`, as in a request (G10, G11).
   */
  async card(
    identity: TurnIdentity,
    cluster: string | undefined,
    registry: string | undefined,
  ): Promise<AdaptiveCardJson> {
    const { sandbox, ownTenantId } = this.services.settings;
    // Before the usage and any read: whatever pair they name, no rule of it applies to them.
    if (ownTenantId && isOtherTenant(identity.tenantId, ownTenantId))
      return otherTenantPolicyCard(identity.tenantId, ownTenantId, sandbox);
    if (!cluster || !registry)
      return messageCard({
        title: 'Which cluster and registry?',
        text: 'Give both, e.g. "@acrbot policy aks-prod contosoacr".',
        tone: 'error',
        sandbox,
      });
    try {
      const resolved = await this.services.planner.resolve(cluster, registry);
      const policy = this.services.requests.currentPolicy();
      const rules = rulesForPair(policy, resolved.cluster, resolved.registry);
      const cooldown = await this.services.requests.breakGlassCooldownOf(identity.actor);
      return policyCard({
        cluster: resolved.cluster.name,
        registry: resolved.registry.name,
        policy,
        rule: rules.grant,
        secret: rules.secret,
        deploymentMaxAccessMs: this.services.lifecycle.maxAccessMs,
        refusedReload: this.services.policyRefusal?.(),
        cooldown,
        sandbox,
      });
    } catch (err) {
      await auditValidationFailure(this.services.requests, identity, err);
      return errorCardFor(this.services, err, 'Could not look up the policy');
    }
  }
}
