/**
 * Who, besides acrbot, could act as an Entra application acrbot is about to trust (secret flow,
 * kind `sp`, G15). An application and its service principal can be held in more ways than an
 * application password:
 *
 * - an owner of the application or of the service principal can add credentials to either;
 * - a federated identity credential on the application lets a foreign workload (a GitHub Actions
 *   run, another tenant's managed identity, a Kubernetes service account) get a token for the
 *   application with no password at all (Graph `GET /applications/{id}/federatedIdentityCredentials`);
 * - a password or certificate on the service principal itself authenticates as well as one on
 *   the application (Graph `servicePrincipal.passwordCredentials` / `keyCredentials`).
 *
 * acrbot adds only application passwords (recorded by key id, or by the marker it records as the
 * display name before adding one), never a federated credential, certificate or service-principal
 * credential, and its own service principal is the only owner it ever gives anything. Everything
 * else is a foreign holder. Pure: the caller reads Graph.
 */

/** An owner of an application or service principal as Graph lists it. */
export interface DirectoryOwner {
  id: string;
  type: 'user' | 'servicePrincipal' | 'other';
}

/** A federated identity credential: who may exchange a token for the application. Never secret. */
export interface FederatedCredentialView {
  id: string;
  name: string;
  issuer: string;
  subject: string;
}

/** What Graph shows about a service principal's holders. */
export interface ServicePrincipalHoldings {
  /** The service principal's object id. */
  id: string;
  owners: DirectoryOwner[];
  /** Key ids of passwords on the service principal itself (not the application's). */
  passwordKeyIds: string[];
  /** Key ids of certificates on the service principal itself. */
  certificateKeyIds: string[];
}

/** What Graph shows about an application's holders, and its service principal's when read. */
export interface ApplicationHoldings {
  owners: DirectoryOwner[];
  passwordKeyIds: string[];
  /** Display names of the passwords by key id (acrbot's carry a marker it records before adding them). */
  passwordDisplayNames?: Record<string, string | null>;
  certificateKeyIds: string[];
  federatedCredentials: FederatedCredentialView[];
  /** Absent when the service principal was not read: then it cannot be vouched for. */
  servicePrincipal?: ServicePrincipalHoldings;
}

/** What acrbot knows to be its own. */
export interface OwnHoldings {
  /** acrbot's own service principal object id (the caller of Graph). */
  servicePrincipalId: string;
  /** Key ids of the application passwords acrbot recorded adding. */
  passwordKeyIds: readonly string[];
  /** Markers acrbot recorded as the display names of passwords it was adding. */
  passwordMarkers?: readonly string[];
}

/** One way someone other than acrbot holds the application. */
export interface ForeignHolder {
  kind:
    | 'noOwner'
    | 'applicationOwner'
    | 'servicePrincipalOwner'
    | 'federatedCredential'
    | 'applicationPassword'
    | 'applicationCertificate'
    | 'servicePrincipalPassword'
    | 'servicePrincipalCertificate'
    | 'servicePrincipalUnread';
  /** Object id or key id of the holder, when it has one. */
  id?: string;
  /** The federated credential's issuer and subject (for the log; never secret, but foreign text). */
  issuer?: string;
  subject?: string;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The foreign holders of an application: none means acrbot alone holds it. The application must
 * have an owner, and every owner of it and of its service principal must be acrbot's own service
 * principal (by object id: "one service principal owner" is not enough, anyone's service principal
 * could be it). Fails closed: a service principal not read is a holder.
 */
export function foreignHolders(holdings: ApplicationHoldings, own: OwnHoldings): ForeignHolder[] {
  const out: ForeignHolder[] = [];
  const isOwn = (o: DirectoryOwner) => o.type === 'servicePrincipal' && same(o.id, own.servicePrincipalId);
  // Graph lists no owner for a moment after the create (replication); acrbot's OwnedBy create
  // always makes its service principal the owner, so an application without one is not its own.
  if (holdings.owners.length === 0) out.push({ kind: 'noOwner' });
  for (const o of holdings.owners) if (!isOwn(o)) out.push({ kind: 'applicationOwner', id: o.id });
  for (const f of holdings.federatedCredentials)
    out.push({ kind: 'federatedCredential', id: f.id, issuer: f.issuer, subject: f.subject });
  const marked = (keyId: string) => {
    const name = holdings.passwordDisplayNames?.[keyId];
    return typeof name === 'string' && (own.passwordMarkers ?? []).includes(name);
  };
  for (const k of holdings.passwordKeyIds)
    if (!own.passwordKeyIds.some((r) => same(r, k)) && !marked(k)) out.push({ kind: 'applicationPassword', id: k });
  for (const k of holdings.certificateKeyIds) out.push({ kind: 'applicationCertificate', id: k });
  const sp = holdings.servicePrincipal;
  if (!sp) {
    out.push({ kind: 'servicePrincipalUnread' });
    return out;
  }
  for (const o of sp.owners) if (!isOwn(o)) out.push({ kind: 'servicePrincipalOwner', id: o.id });
  for (const k of sp.passwordKeyIds) out.push({ kind: 'servicePrincipalPassword', id: k });
  for (const k of sp.certificateKeyIds) out.push({ kind: 'servicePrincipalCertificate', id: k });
  return out;
}

/** How each kind is told, singular and plural. */
const WORDS: Record<ForeignHolder['kind'], [string, string]> = {
  noOwner: ['no owner (acrbot’s service principal would be one)', 'no owner'],
  applicationOwner: ['an owner other than acrbot', 'owners other than acrbot'],
  servicePrincipalOwner: ['a service principal owner other than acrbot', 'service principal owners other than acrbot'],
  federatedCredential: [
    'a federated identity credential acrbot did not create',
    'federated identity credentials acrbot did not create',
  ],
  applicationPassword: ['a password acrbot did not add', 'passwords acrbot did not add'],
  applicationCertificate: ['a certificate credential acrbot did not add', 'certificate credentials acrbot did not add'],
  servicePrincipalPassword: [
    'a password on its service principal, which acrbot never adds',
    'passwords on its service principal, which acrbot never adds',
  ],
  servicePrincipalCertificate: [
    'a certificate on its service principal, which acrbot never adds',
    'certificates on its service principal, which acrbot never adds',
  ],
  servicePrincipalUnread: [
    'a service principal acrbot could not inspect',
    'service principals acrbot could not inspect',
  ],
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One sentence fragment for {@link foreignHolders} ("it has …"), or undefined when there are none.
 * It names object and key ids only (GUIDs, at most three per kind): issuers, subjects and names
 * are anyone's text and stay out of cards.
 */
export function foreignHoldersSentence(holders: readonly ForeignHolder[]): string | undefined {
  if (holders.length === 0) return undefined;
  const parts: string[] = [];
  for (const kind of Object.keys(WORDS) as ForeignHolder['kind'][]) {
    const of = holders.filter((h) => h.kind === kind);
    if (!of.length) continue;
    const [one, many] = WORDS[kind];
    const ids = of.map((h) => h.id).filter((id): id is string => typeof id === 'string' && GUID.test(id));
    const shown = ids.slice(0, 3).join(', ') + (ids.length > 3 ? `, and ${ids.length - 3} more` : '');
    const words = of.length === 1 ? one : `${of.length} ${many}`;
    parts.push(shown ? `${words} (${shown})` : words);
  }
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  return `it has ${list}`;
}
