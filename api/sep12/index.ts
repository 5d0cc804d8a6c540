import { resolve } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { type Lang, resolveLang } from '../../core/i18n/index.js';
import { httpKycProvider } from '../../core/kyc/provider.js';
import { CUSTOMER_TYPES, kycRequirement } from '../../core/policies/kyc-tiers.js';
import {
  type CustomerKey,
  customerKeyOf,
  findCustomer,
  findCustomerById,
  listFields,
  listOwnFiles,
  updateCustomer,
} from '../../db/customers.js';
import type { CustomerRow } from '../../db/schema.js';
import { findTransactionForSub } from '../../db/transactions.js';
import { amountSchema } from '../../stellar/money.js';
import { canonicalSep9Name } from '../../stellar/sep9.js';
import type { ApiDeps } from '../deps.js';
import { interactiveKycApp } from '../interactive/kyc/index.js';
import { type AuthEnv, requireSep10 } from '../middleware/auth.js';
import { HttpError } from '../middleware/errors.js';
import {
  acceptBodies,
  bodyOf,
  JSON_TYPE,
  MULTIPART_TYPE,
  URLENCODED_TYPE,
  validBody,
} from '../openapi/bodies.js';
import { createRouter } from '../openapi/hono.js';
import { errorResponse, json, sep10Security } from '../openapi/responses.js';
import type { Sep10Identity } from '../sep10/jwt.js';
import { encryptedBlobStore, fsBlobStore } from './blob-store.js';
import { CallbackDispatcher } from './callbacks.js';
import {
  type CustomerParams,
  type CustomerSelector,
  callbackBody,
  customerBody,
  customerQuery,
  customerStatus,
  deleteBody,
  deleteParams,
  fileAnswer,
  filesQuery,
  fileUpload,
  verificationBody,
} from './schemas.js';
import {
  customerView,
  eraseCustomerData,
  extractVerificationCodes,
  fileView,
  type KycContext,
  refreshCustomer,
  resubmitPendingChecks,
  type SubmittedValue,
  storeCustomerFile,
  submitFields,
  targetTier,
  verifyCodes,
} from './service.js';
import { kycWebhookApp } from './webhook.js';

const SEP12_BODY_TYPES = [JSON_TYPE, URLENCODED_TYPE, MULTIPART_TYPE] as const;
const UNSUPPORTED = {
  status: 415,
  message: 'send application/json, application/x-www-form-urlencoded or multipart/form-data',
} as const;
const tags = ['SEP-12'];
const denied = errorResponse('no, a malformed or an expired SEP-10 token');

/** Builds the shared KYC context (blob store, provider, callback dispatcher) from the API deps. */
export function createKycContext(deps: ApiDeps, overrides: Partial<KycContext> = {}): KycContext {
  return {
    config: deps.config,
    db: deps.db,
    logger: deps.logger,
    temporal: deps.temporal,
    blobs: encryptedBlobStore(
      fsBlobStore(resolve(deps.config.kyc.uploadDir)),
      deps.config.kyc.encryptionKeys,
    ),
    provider: httpKycProvider(deps.config, deps.fetch ?? fetch),
    // Durable delivery by transactionCallbackWorkflow (survives API restarts); an injected fetch keeps it in process.
    callbacks: new CallbackDispatcher({
      signingSecret: deps.config.stellar.signingSecret,
      logger: deps.logger,
      ...(deps.fetch
        ? { fetch: deps.fetch }
        : { temporal: { client: deps.temporal, taskQueue: deps.config.temporal.taskQueue } }),
    }),
    ...overrides,
  };
}

type Params = Record<string, SubmittedValue>;

/** The validated fields that carry a value (the schemas leave absent ones undefined). */
function present(params: Record<string, unknown>): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) if (typeof v === 'string' || v instanceof File) out[k] = v;
  return out;
}

/** Whether a PUT names at least one SEP-9 field with a value (text or file). */
function carriesSep9Value(params: Params): boolean {
  return Object.entries(params).some(
    ([k, v]) =>
      canonicalSep9Name(k) !== undefined && ((typeof v === 'string' && v.trim() !== '') || v instanceof File),
  );
}

/** `photo_id_front_file_id=<id>` keys (S12-17) by field name. */
function extractFileRefs(params: Params): Record<string, string> {
  const refs: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const m = /^(.+)_file_id$/.exec(k);
    if (m && typeof v === 'string' && v !== '') refs[m[1]!] = v;
  }
  return refs;
}

/**
 * The customer a request is about (S12-02, S12-03, S12-04): the JWT's account, with the memo of the token if
 * it has one (a different `memo` is 403), any memo for a plain G... token, and none for C... accounts. An
 * `M...` token is its own customer (customerKeyOf), never the `G...:<id>` one.
 */
export function resolveCustomerKey(identity: Sep10Identity, params: CustomerSelector): CustomerKey {
  const account = params.account;
  if (account && account !== identity.account && account !== identity.muxedAccount) {
    throw new HttpError(403, 'account does not match the authenticated account', 'forbidden');
  }
  const memo = params.memo;
  if (identity.memo !== undefined) {
    if (memo !== undefined && memo !== identity.memo) {
      throw new HttpError(403, 'memo does not match the memo of the authenticated account', 'forbidden');
    }
    return customerKeyOf(identity);
  }
  if (identity.account.startsWith('C') && memo !== undefined) {
    throw new HttpError(400, 'memo is not allowed for a contract (C...) account');
  }
  const memoType = params.memo_type;
  if (memo !== undefined && memoType) {
    if (!['text', 'id', 'hash'].includes(memoType))
      throw new HttpError(400, 'memo_type must be text, id or hash');
    if (memoType === 'id' && !/^\d{1,20}$/.test(memo))
      throw new HttpError(400, 'memo: an id memo is a positive integer');
    if (memoType === 'hash' && Buffer.from(memo, 'base64').length !== 32) {
      throw new HttpError(400, 'memo: a hash memo is 32 bytes in base64');
    }
  }
  if (memo !== undefined && memo.length > 64) throw new HttpError(400, 'memo: at most 64 characters');
  return { account: identity.account, memo: memo ?? '' };
}

function fieldErrors(status: 400 | 413, errors: Record<string, string>): HttpError {
  const message = Object.values(errors).join(' ');
  return new HttpError(status, message, status === 413 ? 'payload_too_large' : 'invalid_field', {
    error: message,
    fields: errors,
  });
}

/** SEP-12 KYC_SERVER, mounted at /kyc (S12-01..25), plus the standalone hosted KYC page at /kyc/interactive. */
export function sep12App(deps: ApiDeps, ctx: KycContext = createKycContext(deps)) {
  const app = createRouter<AuthEnv>();
  const auth = requireSep10(deps.config, 'sep12');
  const maxBody = ctx.config.kyc.uploadMaxBytes * 8 + 1024 * 1024;
  const limit = bodyLimit({
    maxSize: maxBody,
    onError: () => {
      throw new HttpError(413, `request body larger than ${maxBody} bytes`, 'payload_too_large');
    },
  });

  app.route('/interactive', interactiveKycApp(ctx));

  /** The customer a request names by `id`, or by its key; an `id` of someone else is 404 (S12-10, S12-15). */
  async function locate(
    identity: Sep10Identity,
    params: CustomerSelector,
  ): Promise<{ key: CustomerKey; customer: CustomerRow | undefined }> {
    const key = resolveCustomerKey(identity, params);
    const id = params.id;
    if (!id) return { key, customer: await findCustomer(ctx.db, key) };
    const customer = await findCustomerById(ctx.db, id);
    const ownMemo = identity.memo === undefined || customer?.memo === identity.memo;
    const memoMatches = params.memo === undefined || customer?.memo === key.memo;
    const ownAccount = customer?.account === customerKeyOf(identity).account;
    if (!customer || !ownAccount || !ownMemo || !memoMatches) {
      throw new HttpError(404, 'customer not found', 'not_found');
    }
    return { key: { account: customer.account, memo: customer.memo }, customer };
  }

  /** The tier asked about by `transaction_id` + `type`, or `amount` (S12-05); undefined when neither. */
  async function askedTier(identity: Sep10Identity, params: CustomerParams): Promise<number | undefined> {
    const type = params.type;
    if (type !== undefined && !(CUSTOMER_TYPES as readonly string[]).includes(type)) {
      throw new HttpError(400, `unknown type "${type}"; expected one of ${CUSTOMER_TYPES.join(', ')}`);
    }
    const transactionId = params.transaction_id;
    if (transactionId) {
      if (!type) throw new HttpError(400, 'type is required with transaction_id');
      const tx = await findTransactionForSub(ctx.db, identity.sub, { id: transactionId });
      if (!tx) throw new HttpError(404, 'transaction not found', 'not_found');
      const amount = tx.amount_in ?? tx.amount_expected;
      return kycRequirement(ctx.config, { amount, type }).tier;
    }
    const amount = params.amount;
    if (amount !== undefined) {
      const parsed = amountSchema.safeParse(amount);
      if (!parsed.success) throw new HttpError(400, 'amount: must be a decimal amount with at most 7 places');
      return kycRequirement(ctx.config, { amount, type }).tier;
    }
    return undefined;
  }

  async function view(customer: CustomerRow | undefined, tier: number, lang: Lang) {
    const fields = customer ? await listFields(ctx.db, customer.id) : [];
    return customerView(customer, fields, tier, lang);
  }

  const getCustomer = createRoute({
    method: 'get',
    path: '/customer',
    tags,
    summary: 'Customer KYC status and required fields',
    security: sep10Security,
    middleware: [auth],
    request: { query: customerQuery },
    responses: {
      200: json(customerStatus, 'status and the fields still needed'),
      400: errorResponse('bad type, amount or memo'),
      401: denied,
      404: errorResponse('no such customer or transaction of the caller'),
    },
  });
  app.openapi(getCustomer, async (c) => {
    const params = c.req.valid('query');
    const lang = resolveLang(params.lang);
    const identity = c.get('identity');
    let { customer } = await locate(identity, params);
    const tier = await askedTier(identity, params);
    if (customer && tier !== undefined && tier > customer.requested_tier) {
      const before = customer.status;
      customer = await refreshCustomer(
        ctx,
        await updateCustomer(ctx.db, customer.id, { requested_tier: tier }),
        before,
      );
    }
    if (customer) await resubmitPendingChecks(ctx, customer);
    return c.json(await view(customer, tier ?? (customer ? targetTier(customer) : 1), lang), 200);
  });

  const putCustomer = createRoute({
    method: 'put',
    path: '/customer',
    tags,
    summary: 'Submit KYC fields (SEP-9 names), as JSON, a form or multipart with documents',
    security: sep10Security,
    middleware: [auth, limit, acceptBodies(customerBody, SEP12_BODY_TYPES, UNSUPPORTED)],
    request: { body: bodyOf(customerBody, SEP12_BODY_TYPES) },
    responses: {
      202: json(z.object({ id: z.string() }), 'accepted'),
      400: errorResponse('a bad field; `fields` names each one'),
      401: denied,
      403: errorResponse('account or memo of someone else'),
      413: errorResponse('a document over the limit'),
      415: errorResponse('unsupported Content-Type'),
    },
  });
  app.openapi(putCustomer, async (c) => {
    const body = validBody<CustomerParams & Record<string, unknown>>(c);
    const params = present(body);
    const lang = resolveLang(body.lang);
    const identity = c.get('identity');
    const { key } = await locate(identity, body);
    const tier = await askedTier(identity, body);
    const verificationCodes = extractVerificationCodes(params);
    const fileRefs = extractFileRefs(params);
    // No body, or nothing SEP-9 in it: refused rather than creating an empty customer (issue 15 row 8).
    if (
      !carriesSep9Value(params) &&
      Object.keys(verificationCodes).length + Object.keys(fileRefs).length === 0
    )
      throw new HttpError(400, 'no SEP-9 field to store: send at least one field', 'invalid_field');
    const result = await submitFields(ctx, {
      key,
      values: params,
      verificationCodes,
      fileRefs,
      lang,
      ...(tier !== undefined ? { tier } : {}),
    });
    if (!result.ok) throw fieldErrors(result.status, result.errors);
    return c.json({ id: result.customer.id }, 202);
  });

  // S12-18 (deprecated): codes by id; answers with the GET /customer body.
  const putVerification = createRoute({
    method: 'put',
    path: '/customer/verification',
    tags,
    summary: 'Submit verification codes (e.g. mobile_number_verification)',
    security: sep10Security,
    middleware: [auth, limit, acceptBodies(verificationBody, SEP12_BODY_TYPES, UNSUPPORTED)],
    request: { body: bodyOf(verificationBody, SEP12_BODY_TYPES) },
    responses: {
      200: json(customerStatus, 'the customer status'),
      400: errorResponse('missing id or a wrong code'),
      401: denied,
      404: errorResponse('no such customer'),
    },
  });
  app.openapi(putVerification, async (c) => {
    const params = validBody<z.output<typeof verificationBody>>(c);
    const lang = resolveLang(params.lang);
    const { customer } = await locate(c.get('identity'), params);
    const codes = extractVerificationCodes(params);
    if (Object.keys(codes).length === 0) {
      throw new HttpError(
        400,
        'send at least one <field>_verification code (mobile_number or email_address)',
      );
    }
    const result = await verifyCodes(ctx, customer!, codes, lang);
    if (!result.ok) throw fieldErrors(result.status, result.errors);
    return c.json(await view(result.customer, targetTier(result.customer), lang), 200);
  });

  const putCallback = createRoute({
    method: 'put',
    path: '/customer/callback',
    tags,
    summary: 'Register a KYC status callback URL',
    security: sep10Security,
    middleware: [auth, limit, acceptBodies(callbackBody, SEP12_BODY_TYPES, UNSUPPORTED)],
    request: { body: bodyOf(callbackBody, SEP12_BODY_TYPES) },
    responses: {
      200: json(z.object({}), 'registered'),
      400: errorResponse('bad URL'),
      401: denied,
      404: errorResponse('no such customer'),
    },
  });
  app.openapi(putCallback, async (c) => {
    const params = validBody<z.output<typeof callbackBody>>(c);
    const url = params.url;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new HttpError(400, 'url is not a valid URL');
    }
    const httpAllowed = ctx.config.profile === 'sandbox';
    if (parsed.protocol !== 'https:' && !(httpAllowed && parsed.protocol === 'http:')) {
      throw new HttpError(400, 'url must be an https:// URL');
    }
    if (parsed.username || parsed.password) throw new HttpError(400, 'url must not carry credentials');
    const { customer } = await locate(c.get('identity'), params);
    if (!customer) throw new HttpError(404, 'customer not found', 'not_found');
    await updateCustomer(ctx.db, customer.id, { callback_url: parsed.toString() });
    return c.json({}, 200);
  });

  // S12-26: one upload on its own, referenced later as `<field>_file_id`.
  const postFile = createRoute({
    method: 'post',
    path: '/customer/files',
    tags,
    summary: 'Upload a customer file (multipart)',
    security: sep10Security,
    middleware: [auth, limit, acceptBodies(fileUpload, SEP12_BODY_TYPES, UNSUPPORTED)],
    request: { body: bodyOf(fileUpload, [MULTIPART_TYPE]) },
    responses: {
      200: json(fileAnswer, 'the stored file'),
      400: errorResponse('no file part, or not JPEG, PNG or PDF'),
      401: denied,
      413: errorResponse('too large'),
    },
  });
  app.openapi(postFile, async (c) => {
    const params = validBody<z.output<typeof fileUpload>>(c);
    const lang = resolveLang(params.lang);
    const file = params.file;
    if (!(file instanceof File))
      throw new HttpError(400, 'send the document as a multipart/form-data part named "file"');
    const key = resolveCustomerKey(c.get('identity'), params);
    const stored = await storeCustomerFile(ctx, key, file, lang);
    if (!stored.ok) {
      throw new HttpError(
        stored.status,
        stored.error,
        stored.status === 413 ? 'payload_too_large' : 'invalid_file',
      );
    }
    return c.json(fileView(stored.file), 200);
  });

  // S12-27: the caller's own files only; nothing found is an empty list, never 404.
  const listFiles = createRoute({
    method: 'get',
    path: '/customer/files',
    tags,
    summary: 'List uploaded customer files',
    security: sep10Security,
    middleware: [auth],
    request: { query: filesQuery },
    responses: {
      200: json(z.object({ files: z.array(fileAnswer) }), "the files (empty when none is the caller's)"),
      400: errorResponse('neither file_id nor customer_id'),
      401: denied,
    },
  });
  app.openapi(listFiles, async (c) => {
    const identity = c.get('identity');
    const { file_id: fileId, customer_id: customerId } = c.req.valid('query');
    const files = await listOwnFiles(ctx.db, customerKeyOf(identity).account, {
      ...(fileId ? { fileId } : {}),
      ...(customerId ? { customerId } : {}),
      ...(identity.memo !== undefined ? { memo: identity.memo } : {}),
    });
    return c.json({ files: files.map(fileView) }, 200);
  });

  // S12-19: a bad token and a path account that is not the caller's are both 401.
  const deleteCustomer = createRoute({
    method: 'delete',
    path: '/customer/{account}',
    tags,
    summary: 'Delete a customer and its data',
    security: sep10Security,
    middleware: [auth, acceptBodies(deleteBody, SEP12_BODY_TYPES, UNSUPPORTED)],
    request: { params: deleteParams, body: bodyOf(deleteBody, SEP12_BODY_TYPES) },
    responses: {
      200: json(z.object({}), 'deleted'),
      401: denied,
      404: errorResponse('no data on this customer'),
    },
  });
  app.openapi(deleteCustomer, async (c) => {
    const identity = c.get('identity');
    const pathAccount = c.req.valid('param').account;
    if (pathAccount !== identity.account && pathAccount !== identity.muxedAccount) {
      throw new HttpError(
        401,
        'the path account is not the authenticated account',
        'authentication_required',
      );
    }
    const key = resolveCustomerKey(identity, validBody<z.output<typeof deleteBody>>(c));
    const erased = await eraseCustomerData(ctx, key);
    if (!erased) throw new HttpError(404, 'no data on this customer', 'not_found');
    return c.json({}, 200);
  });

  return app;
}

/** Everything the KYC surface mounts: `/kyc` (SEP-12 + pages) and `/webhooks/kyc` (provider verdicts). */
export function kycSurface(deps: ApiDeps, overrides: Partial<KycContext> = {}) {
  const ctx = createKycContext(deps, overrides);
  return { ctx, kyc: sep12App(deps, ctx), webhook: kycWebhookApp(ctx) };
}
