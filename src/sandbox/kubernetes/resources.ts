/**
 * The core/v1 resources the emulator serves, described once: discovery data, defaulting,
 * validation, strategic-merge rules and `kubectl get` table columns all come from here, so
 * adding a resource is one entry.
 */
import { OBJECT_META_MERGE_RULES, type MergeSchema } from './patch';
import type { FieldError } from './status';
import type { KubeObject, ResourceName, Verb } from './types';
import { validateObjectMeta } from './object-meta-validation';
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  normaliseSecretInput,
  validateSecret,
  validateServiceAccount,
} from './validation';

/** A `kubectl get` column: its definition and how to compute the cell from an object. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  format: string;
  description: string;
  cell: (obj: KubeObject, age: string) => string | number;
}

/** Everything the emulator knows about one resource. */
export interface ResourceDef {
  name: ResourceName;
  singularName: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  /** Verbs the emulator implements (and advertises in discovery). */
  verbs: Verb[];
  /** Decoding-time normalisation (defaults, stringData folding). May throw a 400 Status. */
  normalise: (obj: KubeObject) => KubeObject;
  /** Validation on create (old undefined) or update: ObjectMeta first, then the resource's own rules. */
  validate: (obj: KubeObject, old?: KubeObject) => FieldError[];
  /** Strategic-merge list rules. */
  mergeSchema: MergeSchema;
  columns: TableColumn[];
}

const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  cell: (o) => o.metadata.name ?? '',
};

const AGE_COLUMN: TableColumn = {
  name: 'Age',
  type: 'string',
  format: '',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  cell: (_o, age) => age,
};

const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update'];

const namespaces: ResourceDef = {
  name: 'namespaces',
  singularName: 'namespace',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'get', 'list', 'patch', 'update'],
  normalise: (o) => {
    // The namespace controller's finalizer and the immutable name label are set on create.
    o.spec = { finalizers: ['kubernetes'], ...((o.spec as object | undefined) ?? {}) };
    o.status = { phase: 'Active' };
    if (o.metadata.name)
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
    return o;
  },
  // ValidateNamespace: ObjectMeta with a DNS-1123 label for a name; nothing else is checked here.
  validate: (o) => validateObjectMeta('Namespace', o, dns1123LabelErrors),
  mergeSchema: { ...OBJECT_META_MERGE_RULES, 'spec.finalizers': { primitive: true } },
  columns: [
    NAME_COLUMN,
    {
      name: 'Status',
      type: 'string',
      format: '',
      description: 'The status of the namespace',
      cell: (o) => String((o.status as { phase?: string } | undefined)?.phase ?? ''),
    },
    AGE_COLUMN,
  ],
};

const secrets: ResourceDef = {
  name: 'secrets',
  singularName: 'secret',
  kind: 'Secret',
  listKind: 'SecretList',
  namespaced: true,
  shortNames: [],
  verbs: ALL_VERBS,
  normalise: normaliseSecretInput,
  validate: (o, old) => [...validateObjectMeta('Secret', o, dns1123SubdomainErrors), ...validateSecret(o, old)],
  mergeSchema: OBJECT_META_MERGE_RULES,
  columns: [
    NAME_COLUMN,
    {
      name: 'Type',
      type: 'string',
      format: '',
      description:
        'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
      cell: (o) => String(o.type ?? ''),
    },
    {
      name: 'Data',
      type: 'string',
      format: '',
      description:
        "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
      cell: (o) => Object.keys((o.data as object | undefined) ?? {}).length,
    },
    AGE_COLUMN,
  ],
};

const serviceaccounts: ResourceDef = {
  name: 'serviceaccounts',
  singularName: 'serviceaccount',
  kind: 'ServiceAccount',
  listKind: 'ServiceAccountList',
  namespaced: true,
  shortNames: ['sa'],
  verbs: ALL_VERBS,
  normalise: (o) => o,
  validate: (o) => [...validateObjectMeta('ServiceAccount', o, dns1123SubdomainErrors), ...validateServiceAccount(o)],
  // `imagePullSecrets` is atomic on a ServiceAccount (no patchStrategy in core/v1, unlike a pod's):
  // a strategic merge patch replaces the whole list (kubernetes/kubernetes#72475).
  mergeSchema: { ...OBJECT_META_MERGE_RULES, secrets: { mergeKey: 'name' } },
  columns: [
    NAME_COLUMN,
    {
      name: 'Secrets',
      type: 'string',
      format: '',
      description:
        'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
      cell: (o) => (Array.isArray(o.secrets) ? o.secrets.length : 0),
    },
    AGE_COLUMN,
  ],
};

/** All served resources by plural name. */
export const RESOURCES: Record<ResourceName, ResourceDef> = { namespaces, secrets, serviceaccounts };

/** Looks up a resource by its URL segment. */
export function resourceByName(segment: string): ResourceDef | undefined {
  return Object.prototype.hasOwnProperty.call(RESOURCES, segment) ? RESOURCES[segment as ResourceName] : undefined;
}
