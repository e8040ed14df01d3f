import { compileMapper, type MapperLike, NOT_COMPILED } from '../../src/bot/mapper-serializer';

const account: MapperLike = {
  serializedName: 'Account',
  type: {
    name: 'Composite',
    className: 'Account',
    modelProperties: {
      id: { serializedName: 'id', type: { name: 'String' } },
      displayName: { serializedName: 'name', type: { name: 'String' } },
      etag: { serializedName: 'etag', readOnly: true, type: { name: 'String' } },
      tags: { serializedName: 'tags', type: { name: 'Sequence', element: { type: { name: 'String' } } } },
      seen: { serializedName: 'seen', type: { name: 'DateTime' } },
      extra: { serializedName: 'extra', type: { name: 'Object' } },
    },
  },
};

describe('compileMapper', () => {
  test('maps names, drops undefined, unknown and read-only properties, keeps null, writes dates as ISO 8601', () => {
    const serialize = compileMapper({ ...account, required: true }, { Account: account });
    expect(
      serialize({
        id: 'a',
        displayName: 'Ada',
        etag: 'x',
        tags: ['t', undefined],
        seen: new Date('2026-11-30T10:00:00Z'),
        extra: null,
        unknown: 1,
      }),
    ).toEqual({ id: 'a', name: 'Ada', tags: ['t', undefined], seen: '2026-11-30T10:00:00.000Z', extra: null });
  });

  test('values the SDK would refuse or convert are left to the SDK', () => {
    const serialize = compileMapper({ ...account, required: true }, { Account: account });
    for (const value of [
      undefined,
      null,
      'not an object',
      { id: 5 },
      { id: new String('boxed') },
      { tags: 'not a list' },
      { seen: 'not a date' },
      { seen: new Date(Number.NaN) },
    ])
      expect(serialize(value)).toBe(NOT_COMPILED);
  });

  test('mapper features outside the compiled subset are refused when compiling', () => {
    const withProp = (prop: MapperLike): MapperLike => ({
      serializedName: 'M',
      type: { name: 'Composite', modelProperties: { p: prop } },
    });
    for (const mapper of [
      withProp({ serializedName: 'p', required: true, type: { name: 'String' } }),
      withProp({ serializedName: 'p', nullable: false, type: { name: 'String' } }),
      withProp({ serializedName: 'p', defaultValue: 'x', type: { name: 'String' } }),
      withProp({ serializedName: 'p.q', type: { name: 'String' } }),
      withProp({ serializedName: 'p', type: { name: 'Uuid' } }),
      {
        serializedName: 'M',
        type: { name: 'Composite', modelProperties: {}, additionalProperties: { type: { name: 'Object' } } },
      },
      {
        serializedName: 'M',
        type: { name: 'Composite', modelProperties: {}, polymorphicDiscriminator: { serializedName: 'kind' } },
      },
    ])
      expect(() => compileMapper(mapper, {})).toThrow(/not compiled/);
  });
});
