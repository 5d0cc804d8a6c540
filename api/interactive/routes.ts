import { createRoute, z } from '@hono/zod-openapi';
import { bodyOf, MULTIPART_TYPE, URLENCODED_TYPE } from '../openapi/bodies.js';
import { filePart, text } from '../openapi/fields.js';
import { errorResponse, html, seeOther } from '../openapi/responses.js';

/**
 * Route declarations of the hosted pages (SEP-24 flows and the KYC page): each page's query and form schema is
 * the one /openapi.json shows. Forms come urlencoded, or multipart when they carry documents; a malformed
 * multipart body, a NUL or an overlong value is a 400 before any page code runs.
 */

/** Which step of which flow (every page carries them; nothing depends on cookies). */
const stepFields = {
  transaction_id: text(100).optional(),
  session: text(200).optional(),
  // A one-time page token, or a SEP-10 JWT on the standalone KYC page (several hundred bytes).
  token: text(4096).optional(),
  lang: text(35).optional(),
};

/** A page's query: the step, the wallet's callbacks (S24-19) and SEP-9 prefill values. */
export const pageQuery = z
  .object({
    ...stepFields,
    callback: text(2000).optional(),
    on_change_callback: text(2000).optional(),
  })
  .catchall(text(1000));

/** A page's form: the step, and the page's fields (text, or documents in the KYC forms). */
export const pageForm = z
  .object({ ...stepFields, transaction_id: text(100).default(''), session: text(200).default('') })
  .catchall(z.union([text(10_000), filePart]));

/** The withdrawal form (amount and bank details); a field left out is empty. */
export const withdrawForm = pageForm.extend({
  amount: text(60).default(''),
  holder: text(200).default(''),
  account: text(100).default(''),
  routing: text(100).default(''),
});

const PAGE_FORM_TYPES = [URLENCODED_TYPE, MULTIPART_TYPE] as const;

const pageResponses = {
  200: html('the page'),
  303: seeOther('the next step'),
  400: errorResponse('a malformed form or query'),
  401: html('an expired or unknown session'),
  404: html('unknown transaction'),
  409: html('a step that no longer applies'),
  503: html('the workflow could not be reached'),
};
const HOSTED = 'SEP-24 hosted pages';

/** A hosted page: HTML, or a 303 to the next step; errors are pages too (400 `{"error"}` for bad input). */
export const pageGet = (path: string, summary: string, tag = HOSTED) =>
  createRoute({
    method: 'get',
    path,
    tags: [tag],
    summary,
    request: { query: pageQuery },
    responses: pageResponses,
  });

/** A hosted page's form POST, validated by `form` (pageForm unless the page declares its fields). */
export const pagePost = <S extends z.ZodType = typeof pageForm>(
  path: string,
  summary: string,
  form?: S,
  tag = HOSTED,
) =>
  createRoute({
    method: 'post',
    path,
    tags: [tag],
    summary,
    request: { body: { ...bodyOf((form ?? pageForm) as S, PAGE_FORM_TYPES), required: true } },
    responses: pageResponses,
  });
