/**
 * The emulator's patch strategies and validation helpers in isolation: RFC 6902 corner cases,
 * RFC 7386 deletes, strategic-merge directives, and the apimachinery message formats.
 */
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  decodeJsonPatch,
  OBJECT_META_MERGE_RULES,
} from '../../src/sandbox/kubernetes/patch';
import { StatusError } from '../../src/sandbox/kubernetes/status';
import { humanDuration } from '../../src/sandbox/kubernetes/table';
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  normaliseSecretInput,
} from '../../src/sandbox/kubernetes/validation';

const SA_RULES = { ...OBJECT_META_MERGE_RULES, imagePullSecrets: { mergeKey: 'name' } };

function statusOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err.code;
    throw err;
  }
  return 0;
}

describe('JSON Patch (RFC 6902)', () => {
  const doc = { metadata: { name: 'default', annotations: { 'a/b': 'x' } }, imagePullSecrets: [{ name: 'one' }] };

  test('add, copy, move with escaped pointers', () => {
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/imagePullSecrets/0', value: { name: 'zero' } },
      { op: 'copy', from: '/metadata/annotations/a~1b', path: '/metadata/annotations/c~0d' },
      { op: 'move', from: '/imagePullSecrets/1', path: '/imagePullSecrets/-' },
    ]);
    expect(out.imagePullSecrets).toEqual([{ name: 'zero' }, { name: 'one' }]);
    expect(out.metadata).toEqual({ name: 'default', annotations: { 'a/b': 'x', 'c~d': 'x' } });
    expect(doc.imagePullSecrets).toEqual([{ name: 'one' }]);
  });

  test('operations that do not apply are 422; a body that is not a list is 400', () => {
    expect(statusOf(() => applyJsonPatch(doc, [{ op: 'remove', path: '/nope' }]))).toBe(422);
    expect(statusOf(() => applyJsonPatch(doc, [{ op: 'replace', path: '/secrets', value: [] }]))).toBe(422);
    expect(statusOf(() => applyJsonPatch(doc, [{ op: 'add', path: '/imagePullSecrets/5', value: {} }]))).toBe(422);
    expect(statusOf(() => applyJsonPatch(doc, [{ op: 'frobnicate', path: '/x' }]))).toBe(422);
    expect(statusOf(() => decodeJsonPatch({ op: 'add' }))).toBe(400);
  });

  test('a failed operation leaves nothing half-applied', () => {
    let reason = '';
    expect(
      statusOf(() =>
        applyJsonPatch(
          doc,
          [
            { op: 'add', path: '/x', value: 1 },
            { op: 'test', path: '/x', value: 2 },
          ],
          (e) => (reason = e.message),
        ),
      ),
    ).toBe(422);
    expect(reason).toBe('testing value /x failed: test failed');
    expect((doc as Record<string, unknown>).x).toBeUndefined();
  });

  // As evanphx/json-patch (the API server's library) answers, as a 422: RFC 6902 §4.6 fails a
  // test of a location that does not exist; only an absent key of an object that exists reads as null.
  test('a test whose parent is missing, or whose index is out of range, fails (422); an absent key is null', () => {
    const reasons: string[] = [];
    const onError = (e: Error) => reasons.push(e.message);
    const nullAt = (path: string) => statusOf(() => applyJsonPatch(doc, [{ op: 'test', path, value: null }], onError));
    expect(nullAt('/metadata/labels/team')).toBe(422);
    expect(nullAt('/spec/template/metadata')).toBe(422);
    expect(nullAt('/imagePullSecrets/3/name')).toBe(422);
    expect(nullAt('/imagePullSecrets/3')).toBe(422);
    expect(reasons).toEqual([
      'test operation does not apply: is missing path: /metadata/labels/team: missing value',
      'test operation does not apply: is missing path: /spec/template/metadata: missing value',
      'test operation does not apply: is missing path: /imagePullSecrets/3/name: missing value',
      "error in test for path: '/imagePullSecrets/3': Unable to access invalid index: 3: invalid index referenced",
    ]);
    // The parent exists: an absent key is taken for null (evanphx, not RFC 6902), and nothing else.
    expect(nullAt('/metadata/namespace')).toBe(0);
    expect(statusOf(() => applyJsonPatch(doc, [{ op: 'test', path: '/metadata/namespace', value: 'x' }]))).toBe(422);
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  test('null deletes, objects merge, lists replace', () => {
    const out = applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] });
    expect(out).toEqual({ a: { c: 2, d: 3 }, l: [3] });
  });
});

describe('strategic merge patch', () => {
  const sa = { metadata: { name: 'default', finalizers: ['a'] }, imagePullSecrets: [{ name: 'one' }, { name: 'two' }] };

  test('merges keyed lists, appends new keys, keeps order', () => {
    expect(
      applyStrategicMergePatch(sa, { imagePullSecrets: [{ name: 'three' }, { name: 'one' }] }, SA_RULES)
        .imagePullSecrets,
    ).toEqual([{ name: 'one' }, { name: 'two' }, { name: 'three' }]);
  });

  test('$patch delete removes an element, $patch replace replaces the list', () => {
    expect(
      applyStrategicMergePatch(sa, { imagePullSecrets: [{ name: 'one', $patch: 'delete' }] }, SA_RULES)
        .imagePullSecrets,
    ).toEqual([{ name: 'two' }]);
    expect(
      applyStrategicMergePatch(sa, { imagePullSecrets: [{ $patch: 'replace' }, { name: 'only' }] }, SA_RULES)
        .imagePullSecrets,
    ).toEqual([{ name: 'only' }]);
  });

  test('primitive merge lists union, and $deleteFromPrimitiveList removes', () => {
    expect(applyStrategicMergePatch(sa, { metadata: { finalizers: ['b', 'a'] } }, SA_RULES).metadata).toEqual({
      name: 'default',
      finalizers: ['a', 'b'],
    });
    expect(
      applyStrategicMergePatch(sa, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, SA_RULES).metadata,
    ).toEqual({ name: 'default', finalizers: [] });
  });

  test('lists without a merge rule are replaced; null deletes', () => {
    expect(applyStrategicMergePatch({ l: [1, 2], x: 1 }, { l: [3], x: null }, SA_RULES)).toEqual({ l: [3] });
  });

  test('an element without the merge key is a 400', () => {
    expect(statusOf(() => applyStrategicMergePatch(sa, { imagePullSecrets: [{ nom: 'x' }] }, SA_RULES))).toBe(400);
  });
});

describe('validation helpers', () => {
  test('DNS-1123 names', () => {
    expect(dns1123SubdomainErrors('acr-pull.v2')).toEqual([]);
    expect(dns1123SubdomainErrors('x'.repeat(254))).toContain('must be no more than 253 characters');
    expect(dns1123LabelErrors('apps')).toEqual([]);
    expect(dns1123LabelErrors('-apps')).toHaveLength(1);
  });

  test('stringData overrides data keys and Opaque is the default type', () => {
    const s = normaliseSecretInput({ metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { a: 'y' } });
    expect(s).toEqual({ metadata: { name: 's' }, data: { a: 'eQ==' }, type: 'Opaque' });
  });

  test('AGE column formatting follows HumanDuration', () => {
    expect(humanDuration(5_000)).toBe('5s');
    expect(humanDuration(119_000)).toBe('119s');
    expect(humanDuration(185_000)).toBe('3m5s');
    expect(humanDuration(3 * 3600_000 + 5 * 60_000)).toBe('3h5m');
    expect(humanDuration(30 * 3600_000)).toBe('30h');
    expect(humanDuration(3 * 24 * 3600_000 + 3600_000)).toBe('3d1h');
  });
});
