/**
 * Requests are validated from the route's JSON Schemas before the handler runs (fastify's validator
 * compiler, on Ajv as everywhere else in Vigil): bodies and path parameters exactly as sent, query
 * strings with their numbers read from text. Defaults are filled in. Every problem is named by path,
 * all at once: `400 {error: {code: 'invalid', message: 'Invalid: name: is required; kind: must be one of …'}}`
 * — the same words as a configuration file's errors (common/schema.ts).
 */
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { formatErrors, type JsonSchema } from '../../../common/schema';
import { HttpError } from './errors';

// `verbose` keeps the failing schema on each error, so a pattern can be explained by its description.
const OPTIONS = { allErrors: true, strict: true, useDefaults: true, allowUnionTypes: true, verbose: true } as const;
const exact = new Ajv(OPTIONS);
const fromText = new Ajv({ ...OPTIONS, coerceTypes: true });
addFormats(exact);
addFormats(fromText);

/**
 * `Invalid: a: …; b: …`. A pattern means nothing to a person: its error says what the schema's
 * description says the value must be (`floor: must be 1–20 letters, digits or _.-`).
 */
export function describeErrors(errors: ErrorObject[]): string {
  const explained = errors.map((e) => {
    const description = (e.parentSchema as { description?: unknown } | undefined)?.description;
    return e.keyword === 'pattern' && typeof description === 'string' ? { ...e, message: `must be ${description}` } : e;
  });
  return `Invalid: ${formatErrors(explained).join('; ')}`;
}

/** How a number in a query string is written: decimal digits, no exponent, no hex, no `Infinity`. */
const DECIMAL = /^-?\d{1,15}(\.\d{1,15})?$/;

/**
 * The query parameters a schema reads as numbers whose text is not plain decimal. Ajv's coercion reads
 * text with `+text`, so `0x10` is 16 and `1e309` or `Infinity` is Infinity — which then passes
 * `maximum` (found by `make fuzz`: `offset=1e309` reached SQL as Infinity, a 500).
 */
function notDecimal(schema: JsonSchema, data: unknown): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  const values = (data ?? {}) as Record<string, unknown>;
  return Object.entries(properties)
    .filter(([name, p]) => (p.type === 'integer' || p.type === 'number') && typeof values[name] === 'string' && !DECIMAL.test(values[name]))
    .map(([name, p]) => `${name}: must be ${p.type === 'integer' ? 'a whole number' : 'a number'} in decimal digits`);
}

export const validatorCompiler: FastifySchemaCompiler<JsonSchema> = ({ schema, httpPart }) => {
  const text = httpPart === 'querystring';
  const validate = (text ? fromText : exact).compile(schema);
  return (data: unknown) => {
    // No body at all reads as an empty object (its required fields are then named).
    const value = httpPart === 'body' && (data === null || data === undefined) ? {} : data;
    const unread = text ? notDecimal(schema, value) : [];
    if (unread.length) return { error: new HttpError(400, 'invalid', `Invalid: ${unread.join('; ')}`) };
    return validate(value) ? { value } : { error: new HttpError(400, 'invalid', describeErrors(validate.errors ?? [])) };
  };
};

/** Responses are sent with JSON.stringify: their schemas document the API and never filter an answer. */
export const serializerCompiler = () => (data: unknown): string => JSON.stringify(data);
