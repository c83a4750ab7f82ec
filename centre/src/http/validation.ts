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

export const validatorCompiler: FastifySchemaCompiler<JsonSchema> = ({ schema, httpPart }) => {
  const validate = (httpPart === 'querystring' ? fromText : exact).compile(schema);
  return (data: unknown) => {
    // No body at all reads as an empty object (its required fields are then named).
    const value = httpPart === 'body' && (data === null || data === undefined) ? {} : data;
    return validate(value) ? { value } : { error: new HttpError(400, 'invalid', describeErrors(validate.errors ?? [])) };
  };
};

/** Responses are sent with JSON.stringify: their schemas document the API and never filter an answer. */
export const serializerCompiler = () => (data: unknown): string => JSON.stringify(data);
