import { z } from '@hono/zod-openapi';

/**
 * The string rules every request field shares at the edge (issue #15): bounded length, and nothing Postgres
 * `text` cannot store or that is not Unicode: NUL, lone surrogates, the noncharacters U+FFFE/U+FFFF. Messages
 * are predicates ("is required", "must ..."), so the error reads `asset_code is required` (describeZodError).
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export function hasOnlyValidCodePoints(value: string): boolean {
  return !value.includes('\u0000') && !/[\uFFFE\uFFFF]/.test(value) && !LONE_SURROGATE.test(value);
}

export const INVALID_CODE_POINTS = 'must not contain NUL or invalid Unicode characters';

export function text(max: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .max(max, `must be at most ${max} characters`)
    .refine(hasOnlyValidCodePoints, INVALID_CODE_POINTS);
}

/**
 * A field of a body that may come as JSON or as a form (SEP-10 POST, SEP-24 interactive): JSON numbers and
 * booleans become their string form, so one schema validates every encoding and the handler sees strings.
 */
export function wireText(max: number) {
  return z.preprocess((v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v), text(max));
}

/** A query or form value where an empty string means "not given" (`?kind=` is no kind). */
export const blankAsAbsent = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** A file part of a multipart body. */
export const filePart = z
  .custom<File>((v) => v instanceof File, { message: 'must be a file' })
  .openapi({ type: 'string', format: 'binary' });

/** Extra fields of a form or JSON body (SEP-9 prefill and the like): bounded text; files pass through. */
export const extraField = z.union([wireText(1000), filePart]);
