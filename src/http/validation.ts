import { Ajv } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

// Bodies are checked as sent: a number where a string belongs is an error, not a string.
const strict = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
// Query strings and path parameters are text on the wire, so they are coerced to their declared types.
const coercing = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
// Ajv knows no formats of its own (it would warn and accept anything): the ones the schemas use, as RFC 3339 defines them.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
for (const ajv of [strict, coercing]) ajv.addFormat('date-time', { type: 'string', validate: (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)) });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  return ajv.compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
};
