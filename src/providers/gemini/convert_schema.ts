/**
 * JSON Schema → the OpenAPI 3.0 subset Gemini accepts in function
 * `parameters` and `responseSchema`.
 *
 * @module
 */

import { isRecord } from "../../_json.ts";
import type { GeminiSchema } from "./api_types.ts";

const SCHEMA_KEYS: ReadonlySet<string> = new Set([
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "properties",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "example",
  "anyOf",
  "propertyOrdering",
  "default",
  "items",
  "minimum",
  "maximum",
]);

const FORMATS: Readonly<Record<string, ReadonlySet<string>>> = {
  string: new Set(["enum", "date-time"]),
  number: new Set(["float", "double"]),
  integer: new Set(["int32", "int64"]),
};

interface SchemaScope {
  defs: Record<string, unknown>;
  stack: string[];
}

function resolveRef(ref: string, scope: SchemaScope): unknown {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!match) return undefined;
  const name = match[2].replaceAll("~1", "/").replaceAll("~0", "~");
  return scope.defs[`${match[1]}/${name}`];
}

function cleanNode(node: unknown, scope: SchemaScope): GeminiSchema {
  if (!isRecord(node)) return {};
  if (typeof node.$ref === "string") {
    const ref = node.$ref;
    if (scope.stack.includes(ref)) return { type: "object" }; // recursion cannot be expressed
    const target = resolveRef(ref, scope);
    const { $ref: _ref, ...siblings } = node;
    scope.stack.push(ref);
    const resolved = cleanNode(isRecord(target) ? { ...target, ...siblings } : siblings, scope);
    scope.stack.pop();
    return resolved;
  }
  const out: GeminiSchema = {};
  let nullable = node.nullable === true;
  // type: ["string", "null"] → type + nullable; several types → anyOf.
  if (Array.isArray(node.type)) {
    const types = node.type.filter((t) => t !== "null");
    if (types.length < node.type.length) nullable = true;
    if (types.length === 1) out.type = types[0];
    else if (types.length > 1) out.anyOf = types.map((t) => ({ type: t }));
  } else if (typeof node.type === "string" && node.type !== "null") {
    out.type = node.type;
  } else if (node.type === "null") {
    nullable = true;
  }
  const variants = Array.isArray(node.anyOf)
    ? node.anyOf
    : Array.isArray(node.oneOf)
    ? node.oneOf
    : undefined;
  if (variants) {
    const kept: GeminiSchema[] = [];
    for (const v of variants) {
      if (isRecord(v) && v.type === "null" && Object.keys(v).length === 1) nullable = true;
      else kept.push(cleanNode(v, scope));
    }
    if (kept.length === 1) Object.assign(out, kept[0]);
    else if (kept.length > 1) out.anyOf = kept;
  }
  if (Array.isArray(node.allOf)) {
    for (const member of node.allOf) mergeInto(out, cleanNode(member, scope));
  }
  for (const key in node) {
    if (!SCHEMA_KEYS.has(key) || key === "type" || key === "anyOf" || key === "nullable") continue;
    const value = node[key];
    if (key === "properties") {
      if (!isRecord(value)) continue;
      const props: Record<string, GeminiSchema> = {};
      for (const name in value) props[name] = cleanNode(value[name], scope);
      out.properties = props;
    } else if (key === "items") {
      out.items = cleanNode(Array.isArray(value) ? value[0] : value, scope);
    } else if (key === "enum" && Array.isArray(value)) {
      if (value.includes(null)) nullable = true;
      out.enum = value.filter((v) => v !== null).map(String);
    } else if (key === "format") {
      const allowed = typeof out.type === "string" ? FORMATS[out.type] : undefined;
      if (typeof value === "string" && allowed?.has(value)) out.format = value;
    } else {
      out[key] = value;
    }
  }
  if (node.const !== undefined && out.enum === undefined && node.const !== null) {
    out.enum = [String(node.const)];
  }
  if (Array.isArray(out.required) && isRecord(out.properties)) {
    const props = out.properties;
    out.required = out.required.filter((name) => typeof name === "string" && name in props);
  }
  if (nullable) out.nullable = true;
  return out;
}

function mergeInto(target: GeminiSchema, source: GeminiSchema): void {
  for (const key in source) {
    const value = source[key];
    if (key === "properties" && isRecord(target.properties) && isRecord(value)) {
      target.properties = { ...target.properties, ...value };
    } else if (key === "required" && Array.isArray(target.required) && Array.isArray(value)) {
      target.required = [...new Set([...target.required, ...value])];
    } else {
      target[key] = value;
    }
  }
}

/**
 * Clean a JSON Schema down to the OpenAPI 3.0 subset Gemini accepts: keep
 * only the documented `Schema` fields (dropping `$schema`, `$id`,
 * `additionalProperties`, `strict`, `exclusiveMinimum`, …), inline `$ref`s
 * to `$defs`/`definitions` (a recursive reference becomes a bare object),
 * turn `type: [T, "null"]` and `anyOf: [X, {type: "null"}]` into `nullable`,
 * flatten single-variant `anyOf`/`oneOf` and merge `allOf`, turn `const`
 * into a one-value `enum`, stringify `enum` values (Gemini enums are
 * strings), keep only the `format`s Gemini documents, and drop `required`
 * names that are not properties.
 *
 * @example
 * ```ts
 * import { cleanGeminiSchema } from "./convert_schema.ts";
 * const out = cleanGeminiSchema({
 *   $schema: "http://json-schema.org/draft-07/schema#",
 *   type: "object",
 *   properties: { city: { type: ["string", "null"] } },
 *   additionalProperties: false,
 * });
 * console.assert(JSON.stringify(out) ===
 *   '{"type":"object","properties":{"city":{"type":"string","nullable":true}}}');
 * ```
 */
export function cleanGeminiSchema(schema: Record<string, unknown>): GeminiSchema {
  const defs: Record<string, unknown> = {};
  for (const key of ["$defs", "definitions"]) {
    const group = schema[key];
    if (isRecord(group)) { for (const name in group) defs[`${key}/${name}`] = group[name]; }
  }
  return cleanNode(schema, { defs, stack: [] });
}
