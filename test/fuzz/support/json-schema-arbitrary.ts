// Values from a JSON Schema (what z.toJSONSchema makes of the shared/ zod schemas, as published
// in /api/openapi.json or declared on a Fastify route): mostly valid, so that the fuzzer gets
// past validation into the handler, then mutated one field at a time (wrong type, out of range,
// huge, unknown key, missing key) so that validation itself is fuzzed too.
import fc from 'fast-check';

type Schema = Record<string, unknown>;

const MAX_DEPTH = 4;

/** Strings that tend to break things: empty, huge, control characters, injection, unicode, numbers as text. */
export const nastyString = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', "' OR 1=1 --", '<script>alert(1)</script>', '${jndi:x}', '__proto__', 'constructor',
      'NaN', 'Infinity', '-0', '1e309', '0x10', '\uD800', '\u202E', '%00', '%ZZ', 'a'.repeat(70_000), '𝕏'.repeat(300)),
    fc.nat({ max: 5000 }).map((n) => 'x'.repeat(n)),
  );

export const nastyNumber = (): fc.Arbitrary<number> =>
  fc.oneof(
    fc.integer(), fc.double(), fc.constantFrom(0, -1, 1, -0, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 1e15, 1e308, Number.MAX_SAFE_INTEGER + 2, 0.1, 1e-320),
  );

export function anyJson(depth = 2): fc.Arbitrary<unknown> {
  return fc.jsonValue({ maxDepth: depth });
}

function ofType(type: string, schema: Schema, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string': {
      if (typeof schema.pattern === 'string') {
        try {
          return fc.stringMatching(new RegExp(schema.pattern)).map((s) => s.slice(0, Number(schema.maxLength ?? 64)));
        } catch {
          // a pattern fast-check cannot generate from: fall through to plain strings
        }
      }
      const min = Number(schema.minLength ?? 0);
      const max = Math.max(min, Math.min(Number(schema.maxLength ?? 40), 80));
      return fc.string({ minLength: min, maxLength: max });
    }
    case 'integer': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -1000;
      const max = typeof schema.maximum === 'number' ? Math.min(schema.maximum, min + 10_000_000) : min + 100_000;
      return fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) });
    }
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 0.001 : -1000;
      const max = typeof schema.maximum === 'number' ? schema.maximum : min + 10_000;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    case 'array': {
      const items = (schema.items as Schema | undefined) ?? {};
      return fc.array(valid(items, depth + 1), { maxLength: Math.min(Number(schema.maxItems ?? 5), 5) });
    }
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const entries = Object.entries(props);
      if (!entries.length) return fc.dictionary(fc.string({ maxLength: 8 }), anyJson(1), { maxKeys: 3 });
      return fc.record(Object.fromEntries(entries.map(([k, s]) => [k, valid(s, depth + 1)])), {
        requiredKeys: entries.map(([k]) => k).filter((k) => required.has(k)),
      });
    }
    default: return anyJson(1);
  }
}

/** Mostly-valid values of `schema`. */
export function valid(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (depth > MAX_DEPTH) return anyJson(0);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const alternatives = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => valid(s, depth + 1)));
  if (Array.isArray(schema.type)) return fc.oneof(...(schema.type as string[]).map((t) => ofType(t, schema, depth)));
  if (typeof schema.type === 'string') return ofType(schema.type, schema, depth);
  if (schema.properties) return ofType('object', schema, depth);
  return anyJson(1);
}

/** A wrong value for any field: another type, out of range, huge, deep. */
export const wrongValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    nastyString(), nastyNumber(), fc.boolean(), fc.constant(null), anyJson(3),
    fc.nat({ max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
    fc.nat({ max: 600 }).map((n) => { let v: unknown = 1; for (let i = 0; i < n; i++) v = [v]; return v; }),
  );

/** A valid value with one thing wrong (or, sometimes, nothing wrong). */
export function mutated(schema: Schema): fc.Arbitrary<unknown> {
  return fc.tuple(valid(schema), fc.nat(), wrongValue(), fc.constantFrom('replace', 'drop', 'extra', 'keep', 'proto')).map(([value, pick, wrong, how]) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return how === 'keep' ? value : wrong;
    const out = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(out);
    const key = keys.length ? keys[pick % keys.length]! : 'x';
    if (how === 'replace') out[key] = wrong;
    else if (how === 'drop') delete out[key];
    else if (how === 'extra') out[`unknown${pick % 7}`] = wrong;
    else if (how === 'proto') return JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(out).slice(1)}`.replace(',}', '}')) as unknown;
    return out;
  });
}
