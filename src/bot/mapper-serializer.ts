/**
 * A request-body serialiser compiled once from an `@azure/core-client` mapper, for the Bot
 * Connector's activity bodies (see lean-conversations.ts).
 *
 * `Serializer.serialize` interprets the mapper for every request: for each property of an
 * Activity and of every nested account, entity and attachment it matches the type name against
 * a dozen regular expressions, splits the serialised name and looks up polymorphic
 * discriminators, which made it the largest library cost per Bot Connector call in the profile
 * of 200 simultaneous grant flows (docs/performance.md). This walks the same mapper once, at
 * start, into closures that do what `serialize` does for the subset the connector's mappers
 * use: properties copied in the mapper's order under their serialised names, `undefined`
 * dropped, `null` kept, unknown properties left out, `DateTime` written as ISO 8601, `Object`
 * values passed through as they are.
 *
 * Anything else is not guessed at. A mapper feature outside that subset (required or nullable
 * properties, constants, defaults, dotted names, polymorphism, additional properties, XML)
 * makes {@link compileMapper} throw, so the caller keeps the SDK's own path; a value the SDK
 * would reject or convert (a number where a string belongs, a `String` object, an unparseable
 * date) makes the compiled function return {@link NOT_COMPILED}, so that one call goes through
 * the SDK, which then produces its own result or error.
 */

/** The parts of an `@azure/core-client` mapper this reads (structural: the SDK's own objects). */
export interface MapperLike {
  serializedName?: string;
  readOnly?: boolean;
  required?: boolean;
  type: {
    name: string;
    className?: string;
    modelProperties?: Record<string, MapperLike>;
    element?: MapperLike;
    value?: MapperLike;
    [more: string]: unknown;
  };
  [more: string]: unknown;
}

/** The SDK's named models (`Serializer.modelMappers`), which composite references resolve against. */
export type ModelMappers = Record<string, MapperLike | undefined>;

/** Returned when a value has to go through the SDK's own serialisation. */
export const NOT_COMPILED: unique symbol = Symbol('not compiled');

/** A compiled serialiser: the serialised value, or {@link NOT_COMPILED}. */
export type CompiledSerializer = (value: unknown) => unknown;

/** Thrown inside the closures to leave the whole body to the SDK; never escapes this module. */
const BAIL = { bail: true };

type Walk = (value: unknown) => unknown;

/** Mapper keys that only matter for XML or documentation; they change nothing in JSON. */
const INERT_KEYS = new Set([
  'serializedName',
  'type',
  'xmlName',
  'xmlElementName',
  'xmlNamespace',
  'xmlNamespacePrefix',
]);

/** Type keys handled below; any other key on a `type` (e.g. `additionalProperties`) is refused. */
const TYPE_KEYS = new Set(['name', 'className', 'modelProperties', 'element', 'value']);

/**
 * Compiles `mapper` (the top-level body mapper of an operation, `required` allowed there only).
 * Throws when the mapper uses anything outside the subset described above.
 */
export function compileMapper(mapper: MapperLike, models: ModelMappers): CompiledSerializer {
  const { required, ...rest } = mapper;
  const walk = new Compiler(models).compile(rest as MapperLike, 'body');
  return (value) => {
    // A required body the SDK would refuse (`… cannot be null or undefined.`): its error, not ours.
    if (required && (value === undefined || value === null)) return NOT_COMPILED;
    try {
      return walk(value);
    } catch (err) {
      if (err === BAIL) return NOT_COMPILED;
      throw err;
    }
  };
}

class Compiler {
  /** Composite serialisers by class name; filled after creation so recursive models terminate. */
  private readonly composites = new Map<string, { walk?: Walk }>();

  constructor(private readonly models: ModelMappers) {}

  compile(mapper: MapperLike, where: string): Walk {
    for (const key of Object.keys(mapper)) {
      // readOnly is handled by the composite that owns the property (the SDK skips it there).
      if (!INERT_KEYS.has(key) && key !== 'readOnly')
        throw new Error(`mapper feature "${key}" at ${where} is not compiled`);
    }
    for (const key of Object.keys(mapper.type))
      if (!TYPE_KEYS.has(key)) throw new Error(`mapper type feature "${key}" at ${where} is not compiled`);
    const inner = this.compileType(mapper, where);
    // Neither required nor nullable: `serialize` returns undefined and null as they are.
    return (value) => (value === undefined || value === null ? value : inner(value));
  }

  private compileType(mapper: MapperLike, where: string): Walk {
    switch (mapper.type.name.toLowerCase()) {
      case 'string':
        // `serialize` also accepts String objects (valueOf); those go through the SDK.
        return (v) => (typeof v === 'string' ? v : bail());
      case 'number':
        return (v) => (typeof v === 'number' ? v : bail());
      case 'boolean':
        return (v) => (typeof v === 'boolean' ? v : bail());
      case 'object':
      case 'any':
        return (v) => v;
      case 'datetime':
        return serializeDateTime;
      case 'sequence':
        return this.compileSequence(mapper, where);
      case 'dictionary':
        return this.compileDictionary(mapper, where);
      case 'composite':
        return this.compileComposite(mapper, where);
      default:
        throw new Error(`mapper type "${mapper.type.name}" at ${where} is not compiled`);
    }
  }

  private compileSequence(mapper: MapperLike, where: string): Walk {
    let element = mapper.type.element;
    if (!element) throw new Error(`sequence without element at ${where}`);
    // As `serializeSequenceType`: a composite element is looked up by class name first.
    if (element.type.name === 'Composite' && element.type.className)
      element = this.models[element.type.className] ?? element;
    const each = this.compile(element, `${where}[]`);
    return (v) => {
      if (!Array.isArray(v)) return bail();
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) out[i] = each(v[i]);
      return out;
    };
  }

  private compileDictionary(mapper: MapperLike, where: string): Walk {
    const valueMapper = mapper.type.value;
    if (!valueMapper) throw new Error(`dictionary without value at ${where}`);
    const each = this.compile(valueMapper, `${where}{}`);
    return (v) => {
      if (typeof v !== 'object') return bail();
      const source = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(source)) out[key] = each(source[key]);
      return out;
    };
  }

  private compileComposite(mapper: MapperLike, where: string): Walk {
    const className = mapper.type.className;
    const named = className ? this.models[className] : undefined;
    for (const key of Object.keys(named?.type ?? {}))
      if (!TYPE_KEYS.has(key)) throw new Error(`model type feature "${key}" of ${className} is not compiled`);
    // The SDK switches to a subtype by discriminator, or copies extra properties: not compiled.
    for (const m of [mapper, named]) {
      if (m?.type.polymorphicDiscriminator) throw new Error(`polymorphic model at ${where} is not compiled`);
      if (m?.type.additionalProperties) throw new Error(`additional properties at ${where} are not compiled`);
    }
    if (!mapper.type.modelProperties && className) {
      // A reference by class name: one serialiser per class, shared (and recursion-safe).
      let slot = this.composites.get(className);
      if (!slot) {
        slot = {};
        this.composites.set(className, slot);
        const props = named?.type.modelProperties;
        if (!props) throw new Error(`model ${className} at ${where} has no properties`);
        slot.walk = this.compileProperties(props, className);
      }
      const ready = slot;
      return (v) => ready.walk!(v);
    }
    if (!mapper.type.modelProperties) throw new Error(`composite without properties at ${where}`);
    return this.compileProperties(mapper.type.modelProperties, where);
  }

  private compileProperties(props: Record<string, MapperLike>, where: string): Walk {
    const keys: string[] = [];
    const names: string[] = [];
    const walks: Walk[] = [];
    for (const key of Object.keys(props)) {
      const prop = props[key];
      if (prop.readOnly) continue;
      const name = prop.serializedName;
      // A dotted name nests the value under intermediate objects; an empty one is not written.
      if (!name || name.includes('.') || name.includes('\\'))
        throw new Error(`serialised name "${String(name)}" at ${where}.${key} is not compiled`);
      keys.push(key);
      names.push(name);
      walks.push(this.compile(prop, `${where}.${key}`));
    }
    const count = keys.length;
    return (v) => {
      if (typeof v !== 'object') return bail();
      const source = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) {
        const serialized = walks[i](source[keys[i]]);
        if (serialized !== undefined) out[names[i]] = serialized;
      }
      return out;
    };
  }
}

/** As `serializeDateTypes` for `DateTime`; anything it would refuse goes to the SDK. */
function serializeDateTime(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? bail() : v.toISOString();
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
  return bail();
}

function bail(): never {
  throw BAIL;
}
