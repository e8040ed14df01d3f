/**
 * Validating admission as a cluster's own policies answer, after authorization and validation
 * (the real chain's order): admission webhooks that deny (Gatekeeper answers 403 Forbidden;
 * Kyverno answers no code, which the API server sends as 400 with no reason), then the
 * ResourceQuota admission refusing a create past an object count (403). Both come back as the
 * real `Status` bodies, so a client meets a policy's refusal as it would on a real cluster.
 */
import { failure, forbidden, StatusError } from './status';
import type { ResourceName } from './types';

/** Admission operations, as a ValidatingWebhookConfiguration's rules name them. */
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** A validating webhook that denies the requests it matches. Omitted match fields match anything. */
export interface WebhookDenial {
  /** The webhook's name in its configuration, e.g. `validation.gatekeeper.sh`. */
  webhook: string;
  /** The webhook's own message (the API server prefixes it with who denied); none: "without explanation". */
  message?: string;
  /**
   * The code the webhook answers (default 403, as Gatekeeper); 0 for none (as Kyverno), which
   * the API server sends as 400.
   */
  code?: number;
  /**
   * The reason the webhook answers; default `Forbidden` with a code of 403, none otherwise (a
   * webhook that sets only a message, as Kyverno).
   */
  reason?: string;
  /** Operations it denies (default CREATE and UPDATE; PATCH is UPDATE). */
  operations?: AdmissionOperation[];
  resource?: ResourceName;
  namespace?: string;
  name?: string;
}

/** A ResourceQuota's hard object count: `count/secrets`, or the older `secrets`. */
export interface ObjectCountQuota {
  /** The ResourceQuota's name, e.g. `secrets-quota`. */
  name: string;
  namespace: string;
  resource: ResourceName;
  /** Most objects of `resource` the namespace may hold. */
  limit: number;
  /** The key of `spec.hard` (default `count/<resource>`; `secrets` for the older form). */
  key?: string;
}

/** One request as admission sees it. */
export interface AdmissionRequest {
  operation: AdmissionOperation;
  resource: ResourceName;
  namespace?: string;
  /** The object's name (empty on a create that asks for a generated one). */
  name: string;
  /** How many objects of `resource` the namespace holds now (for a quota on create). */
  count: () => number;
}

/** The validating admission rules of one emulator, reachable as `emulator.admission`. */
export class Admission {
  private webhooks: WebhookDenial[] = [];
  private quotas: ObjectCountQuota[] = [];

  /** Adds a denying webhook; returns a function that removes it. */
  denyByWebhook(rule: WebhookDenial): () => void {
    const r = { ...rule };
    this.webhooks.push(r);
    return () => {
      this.webhooks = this.webhooks.filter((w) => w !== r);
    };
  }

  /** Sets an object-count ResourceQuota in a namespace; returns a function that removes it. */
  setQuota(quota: ObjectCountQuota): () => void {
    const q = { ...quota };
    this.quotas.push(q);
    return () => {
      this.quotas = this.quotas.filter((x) => x !== q);
    };
  }

  /** Removes every webhook denial and quota. */
  clear(): void {
    this.webhooks = [];
    this.quotas = [];
  }

  /** Throws the refusal of the first webhook that denies `req`, else of the first quota it exceeds. */
  check(req: AdmissionRequest): void {
    const webhook = this.webhooks.find((w) => webhookMatches(w, req));
    if (webhook) throw webhookDenied(webhook);
    if (req.operation !== 'CREATE') return;
    // Quota admission runs last, and only counts a create against object counts.
    for (const quota of this.quotas) {
      if (quota.namespace !== req.namespace || quota.resource !== req.resource) continue;
      const used = req.count();
      if (used + 1 > quota.limit) throw quotaExceeded(req, quota, used);
    }
  }
}

function webhookMatches(w: WebhookDenial, req: AdmissionRequest): boolean {
  if (!(w.operations ?? ['CREATE', 'UPDATE']).includes(req.operation)) return false;
  if (w.resource !== undefined && w.resource !== req.resource) return false;
  if (w.namespace !== undefined && w.namespace !== req.namespace) return false;
  if (w.name !== undefined && w.name !== req.name) return false;
  return true;
}

/**
 * webhookerrors.ToStatusErr: the webhook's Status with its message prefixed by who denied; a code
 * under 400 becomes 400, and the reason stays the webhook's (none, if it set none). The API server
 * then writes it as it is (no details: the webhook sent none).
 */
function webhookDenied(w: WebhookDenial): StatusError {
  const answered = w.code ?? 403;
  const code = answered < 400 ? 400 : answered;
  const reason = w.reason ?? (answered === 403 ? 'Forbidden' : undefined);
  const deniedBy = `admission webhook ${JSON.stringify(w.webhook)} denied the request`;
  const message = w.message ? `${deniedBy}: ${w.message}` : `${deniedBy} without explanation`;
  return new StatusError(failure(code, reason, message));
}

/**
 * The ResourceQuota admission's refusal (admission.NewForbidden around its error):
 * `secrets "x" is forbidden: exceeded quota: q, requested: count/secrets=1, used: count/secrets=10, limited: count/secrets=10`.
 */
function quotaExceeded(req: AdmissionRequest, quota: ObjectCountQuota, used: number): StatusError {
  const key = quota.key ?? `count/${quota.resource}`;
  const why = `exceeded quota: ${quota.name}, requested: ${key}=1, used: ${key}=${used}, limited: ${key}=${quota.limit}`;
  const subject = req.name ? `${req.resource} ${JSON.stringify(req.name)}` : req.resource;
  return forbidden(req.resource, req.name || undefined, `${subject} is forbidden: ${why}`);
}
