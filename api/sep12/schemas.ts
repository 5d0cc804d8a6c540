import { z } from '@hono/zod-openapi';
import { blankAsAbsent, filePart, text, wireText } from '../openapi/fields.js';

/**
 * The request shapes of SEP-12 (S12-01..27): validated by the declared routes and published in /openapi.json.
 * The SEP-9 field rules (formats, files, languages) stay in service.ts, which answers per field.
 */

/** A field that must be there and not empty: `id is required`. */
const requiredText = (max: number) => wireText(max).refine((v) => (v as string) !== '', 'is required');

/** Which customer a request is about (S12-02..04, S12-10). An empty value is the same as none. */
const selector = {
  id: blankAsAbsent(wireText(100)).describe('customer id from a previous PUT'),
  account: blankAsAbsent(wireText(69)).describe('must be the authenticated account'),
  memo: blankAsAbsent(wireText(64)),
  memo_type: blankAsAbsent(wireText(8)).describe('text, id or hash'),
};
export type CustomerSelector = { id?: string; account?: string; memo?: string; memo_type?: string };

/** The fields that pick the KYC tier asked about (S12-05), and the answer's language. */
const tierFields = {
  type: blankAsAbsent(wireText(50)),
  transaction_id: blankAsAbsent(wireText(100)),
  amount: blankAsAbsent(wireText(40)),
  lang: blankAsAbsent(wireText(35)),
};

export const customerQuery = z.object({ ...selector, ...tierFields });
export type CustomerParams = z.output<typeof customerQuery>;

/** JSON `null` is a field not sent (SEP-9 fields are flat strings, S9-01). */
const withoutNulls = (v: unknown) =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).filter(([, value]) => value !== null))
    : v;

/** A SEP-9 field: text, or a document when the body is multipart (S12-13). */
const sep9Value = z.union([wireText(10_000), filePart]);

export const customerBody = z.preprocess(
  withoutNulls,
  z
    .object({ ...selector, ...tierFields })
    .catchall(sep9Value)
    .openapi('Sep12CustomerRequest', {
      description: 'SEP-9 fields (text or files), and `<field>_verification` codes',
    }),
);

export const verificationBody = z.preprocess(
  withoutNulls,
  z.object({ ...selector, id: requiredText(100), lang: tierFields.lang }).catchall(wireText(200)),
);

export const callbackBody = z.object({
  ...selector,
  url: requiredText(2000).describe('https URL (http in the sandbox) for status callbacks'),
});

export const fileUpload = z.object({
  file: filePart.optional().describe('the document (JPEG, PNG or PDF)'),
  account: selector.account,
  memo: selector.memo,
  memo_type: selector.memo_type,
  lang: tierFields.lang,
});

export const filesQuery = z
  .object({ file_id: blankAsAbsent(text(100)), customer_id: blankAsAbsent(text(100)) })
  .refine(
    (q) => q.file_id !== undefined || q.customer_id !== undefined,
    'file_id or customer_id is required',
  );

export const deleteParams = z.object({ account: text(69) });
export const deleteBody = z.preprocess(
  withoutNulls,
  z.object({ memo: selector.memo, memo_type: selector.memo_type }),
);

export const customerStatus = z
  .object({ status: z.enum(['ACCEPTED', 'PROCESSING', 'NEEDS_INFO', 'REJECTED']) })
  .loose()
  .openapi('Sep12CustomerStatus');
export const fileAnswer = z.object({ file_id: z.string() }).loose().openapi('Sep12File');
