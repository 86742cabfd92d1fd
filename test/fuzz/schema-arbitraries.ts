import { Ajv } from 'ajv';
import fc from 'fast-check';

/**
 * Valid and invalid values of a request body schema (the JSON Schema subset Baton's routes use:
 * objects, strings with lengths and patterns, integers, booleans, constants, unions, arrays and
 * records), so that fuzz cases follow the routes' own published schemas (the OpenAPI document is
 * generated from the same objects) and a field added to a schema is fuzzed without a test change.
 */
export type Schema = Record<string, any>;

/**
 * The oracle: the schema compiled as the server compiles bodies (no coercion), with `date-time`
 * checked as RFC 3339 says, because that is what the schema promises its callers.
 */
const oracle = new Ajv({ coerceTypes: false, useDefaults: false, allErrors: false, strict: false });
oracle.addFormat('date-time', { type: 'string', validate: (s: string) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)) });
const compiled = new WeakMap<Schema, (v: unknown) => boolean>();

export function isValid(schema: Schema, value: unknown): boolean {
  let check = compiled.get(schema);
  if (!check) {
    const fn = oracle.compile(schema);
    check = (v) => fn(v) as boolean;
    compiled.set(schema, check);
  }
  return check(value);
}

/** Small JSON values of every type, for the places a schema leaves open and for wrong types. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

/** Text as people and machines send it: every plane of Unicode, control characters, quotes. */
export const anyText = (maxLength = 40): fc.Arbitrary<string> => fc.oneof(fc.string({ maxLength }), fc.string({ unit: 'binary', maxLength }), fc.constantFrom('', ' ', '\u0000', '"', '\\', '\u2028', '😀', 'null', 'true', '0', '{}', '[]'));

function stringOf(s: Schema): fc.Arbitrary<string> {
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
  if (s.format === 'date-time') return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
  return fc.string({ unit: 'binary', minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 30, 30) });
}

/** A value the schema accepts. */
export function validOf(s: Schema): fc.Arbitrary<unknown> {
  if ('const' in s) return fc.constant(s.const);
  if (s.anyOf) return fc.oneof(...(s.anyOf as Schema[]).map(validOf));
  switch (s.type) {
    case 'string':
      return stringOf(s);
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validOf(s.items ?? {}), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
    case 'object': {
      if (s.properties) {
        const required = new Set<string>(s.required ?? []);
        const shape = Object.fromEntries(Object.entries(s.properties as Record<string, Schema>).map(([k, v]) => [k, validOf(v)]));
        return fc.record(shape, { requiredKeys: [...required] as any }) as fc.Arbitrary<unknown>;
      }
      const values = (Object.values(s.patternProperties ?? {})[0] as Schema | undefined) ?? {};
      return fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), validOf(values), { maxKeys: Math.min(s.maxProperties ?? 3, 3), noNullPrototype: true });
    }
    default:
      return anyJson;
  }
}

/** A path into a JSON value: object keys and array indexes. */
export type Path = (string | number)[];

/** A mutation of a valid value that the schema refuses, described for the failure report. */
export interface Violation {
  what: string;
  apply(value: unknown): unknown;
}

function setAt(root: unknown, path: Path, fn: (v: unknown, parent: any, key: string | number) => void): unknown {
  const copy = structuredClone(root);
  if (path.length === 0) throw new Error('setAt needs a path');
  let parent: any = copy;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const key = path[path.length - 1]!;
  fn(parent?.[key], parent, key);
  return copy;
}

/** Values of another type than the schema's (for a union, another type than every branch's). */
function wrongTypes(s: Schema): fc.Arbitrary<unknown> {
  const types = new Set<string>();
  const collect = (x: Schema) => {
    if (x.anyOf) (x.anyOf as Schema[]).forEach(collect);
    else if (x.type) types.add(x.type === 'integer' ? 'number' : x.type);
    else if ('const' in x) types.add(typeof x.const);
  };
  collect(s);
  const all: [string, fc.Arbitrary<unknown>][] = [
    ['string', anyText()],
    ['number', fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.array(anyJson, { maxLength: 3 })],
    ['object', fc.dictionary(fc.string({ maxLength: 6 }), anyJson, { maxKeys: 3, noNullPrototype: true })],
  ];
  const others = all.filter(([t]) => !types.has(t)).map(([, a]) => a);
  return others.length > 0 ? fc.oneof(...others) : fc.constant(Symbol('no wrong type'));
}

/** Every way to break the value at one place of the schema (not yet checked against the oracle). */
function violationsAt(s: Schema, path: Path, required: boolean): fc.Arbitrary<Violation>[] {
  const at = path.length === 0 ? 'the body' : path.join('.');
  const out: fc.Arbitrary<Violation>[] = [];
  const replace = (what: string, arb: fc.Arbitrary<unknown>) =>
    arb.map((v): Violation => ({ what: `${at}: ${what} ${short(v)}`, apply: (root) => (path.length === 0 ? v : setAt(root, path, (_old, parent, key) => { parent[key] = v; })) }));
  out.push(replace('a wrong type', wrongTypes(s)));
  if (required && path.length > 0) {
    out.push(fc.constant<Violation>({ what: `${at}: missing`, apply: (root) => setAt(root, path, (_old, parent, key) => { if (Array.isArray(parent)) parent.splice(Number(key), 1); else delete parent[key]; }) }));
  }
  if (s.type === 'string') {
    if (s.maxLength !== undefined) out.push(replace('too long', fc.integer({ min: s.maxLength + 1, max: s.maxLength + 2000 }).map((n) => 'x'.repeat(n))));
    if (s.minLength) out.push(replace('too short', fc.constant('')));
    if (s.pattern) out.push(replace('not matching its pattern', anyText().filter((x) => !new RegExp(s.pattern).test(x))));
    if (s.format === 'date-time') out.push(replace('not a date-time', anyText()));
  }
  if (s.type === 'integer') out.push(replace('not an integer', fc.oneof(fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }), ...(s.minimum !== undefined ? [fc.integer({ max: s.minimum - 1, min: s.minimum - 1_000_000 })] : []), ...(s.maximum !== undefined ? [fc.integer({ min: s.maximum + 1, max: s.maximum + 1_000_000 })] : []))));
  if (s.anyOf && (s.anyOf as Schema[]).every((b) => 'const' in b)) out.push(replace('not one of its values', anyText()));
  if (s.type === 'array') {
    if (s.maxItems !== undefined) out.push(replace('too many items', fc.array(validOf(s.items ?? {}), { minLength: s.maxItems + 1, maxLength: s.maxItems + 5 })));
    if (s.minItems) out.push(replace('too few items', fc.constant([])));
  }
  if (s.type === 'object' && s.additionalProperties === false) {
    const known = new Set(Object.keys(s.properties ?? {}).map((k) => k.toLowerCase()));
    out.push(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !known.has(k.toLowerCase())), anyJson).map(([k, v]): Violation => ({
      what: `${at}: an unknown field ${JSON.stringify(k)}`,
      apply: (root) => {
        if (path.length === 0) return { ...(root as object), [k]: v };
        return setAt(root, path, (old) => { Object.defineProperty(old, k, { value: v, enumerable: true, writable: true, configurable: true }); });
      },
    })));
  }
  return out;
}

function short(v: unknown): string {
  const s = typeof v === 'symbol' ? String(v) : JSON.stringify(v) ?? String(v);
  return s.length > 50 ? `${s.slice(0, 47)}... (${s.length} chars)` : s;
}

/** The places of a schema: the root, each property, each array's first item, recursively. */
function places(s: Schema, path: Path, required: boolean, out: { s: Schema; path: Path; required: boolean }[]): void {
  out.push({ s, path, required });
  if (s.type === 'object' && s.properties) {
    const req = new Set<string>(s.required ?? []);
    for (const [k, v] of Object.entries(s.properties as Record<string, Schema>)) places(v, [...path, k], req.has(k), out);
  }
  if (s.type === 'array' && s.items) places(s.items, [...path, 0], true, out);
}

/**
 * A body the schema refuses: a valid one with one thing broken (a field missing, of a wrong
 * type, too long, not matching, an unknown field), checked against the oracle so that no case
 * that happens to be valid slips through.
 */
export function invalidOf(s: Schema): fc.Arbitrary<{ body: unknown; what: string }> {
  const all: { s: Schema; path: Path; required: boolean }[] = [];
  places(s, [], true, all);
  const violations = fc.oneof(...all.flatMap((p) => violationsAt(p.s, p.path, p.required)));
  return fc.tuple(validOf(s), violations).map(([valid, v]) => {
    let body: unknown;
    try {
      body = v.apply(valid);
    } catch {
      // The place is not there in this valid value (an optional object left out): break the root instead.
      body = [valid];
    }
    return { body, what: v.what };
  }).filter(({ body }) => typeof body !== 'symbol' && !containsSymbol(body) && !isValid(s, body));
}

function containsSymbol(v: unknown): boolean {
  if (typeof v === 'symbol') return true;
  if (Array.isArray(v)) return v.some(containsSymbol);
  if (v && typeof v === 'object') return Object.values(v).some(containsSymbol);
  return false;
}

/** A valid value, checked against the oracle too (a pattern generator may overshoot a length). */
export function checkedValidOf(s: Schema): fc.Arbitrary<unknown> {
  return validOf(s).filter((v) => isValid(s, v));
}
