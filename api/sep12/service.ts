import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { AppConfig } from '../../config/index.js';
import type { Logger } from '../../config/logger.js';
import { formatByteSize, type Lang, type Translator, translator } from '../../core/i18n/index.js';
import type { KycProvider } from '../../core/kyc/provider.js';
import {
  acceptProcessingFields,
  attachFile,
  type CustomerFieldRow,
  type CustomerFileRow,
  type CustomerKey,
  claimAnnouncement,
  computeTierStatus,
  createCheck,
  decideCheck,
  deleteExpiredFiles,
  deleteOwnFiles,
  eraseCustomer,
  findCheck,
  findCustomer,
  findCustomerById,
  findOwnFile,
  insertCustomerFile,
  type KycCheckRow,
  listFields,
  listWaiters,
  lockCustomer,
  markFieldVerified,
  openChecks,
  recordWebhookEvent,
  rejectFields,
  removeWaiter,
  type TierStatus,
  updateCheck,
  updateCustomer,
  upsertCustomer,
  upsertField,
} from '../../db/customers.js';
import type { Db } from '../../db/index.js';
import type { CustomerRow, KycFieldStatus } from '../../db/schema.js';
import {
  canonicalSep9Name,
  clampTier,
  type Sep9Issue,
  sep9Field,
  tierFields,
  VERIFIABLE_FIELDS,
  validateSep9Value,
} from '../../stellar/sep9.js';
import { type KycStatusChange, kycStatusSignal } from '../../workflows/messages.js';
import type { BlobStore } from './blob-store.js';
import { sniffDocumentType } from './blob-store.js';
import type { CallbackDispatcher } from './callbacks.js';

/** Everything the SEP-12 logic touches; built once per app (api/sep12/index.ts) and shared with the pages. */
export interface KycContext {
  config: AppConfig;
  db: Db;
  logger: Logger;
  temporal: Client | undefined;
  blobs: BlobStore;
  provider: KycProvider;
  callbacks: CallbackDispatcher;
}

// --- the GET /customer body ----------------------------------------------------------------------------------

export interface FieldDescription {
  type: 'string' | 'binary' | 'number' | 'date';
  description: string;
  choices?: string[];
  optional?: boolean;
}
export interface ProvidedField extends FieldDescription {
  status: KycFieldStatus;
  error?: string;
}
export interface CustomerView {
  id?: string;
  status: TierStatus['status'];
  fields: Record<string, FieldDescription>;
  provided_fields?: Record<string, ProvidedField>;
  message?: string;
}

function describe(name: string, t: Translator, optional: boolean): FieldDescription {
  const field = sep9Field(name);
  const key = `sep9.field.${name}`;
  return {
    type: field?.type ?? 'string',
    description: t.has(key) ? t.t(key) : (field?.description ?? name),
    ...(field?.choices ? { choices: [...field.choices] } : {}),
    ...(optional ? { optional: true } : {}),
  };
}

/** S12-06..09: what is still needed for `tier`, what was provided (with status), and why if rejected. */
export function customerView(
  customer: CustomerRow | undefined,
  fields: readonly CustomerFieldRow[],
  tier: number,
  lang: string,
): CustomerView {
  const t = translator(lang);
  const state = computeTierStatus(customer, fields, tier);
  const { required, optional } = tierFields(tier);
  const stored = new Map(fields.map((f) => [f.name, f]));
  const view: CustomerView = { ...(customer ? { id: customer.id } : {}), status: state.status, fields: {} };
  if (state.status !== 'REJECTED') {
    for (const name of required) {
      if (state.status !== 'ACCEPTED' && !stored.has(name)) view.fields[name] = describe(name, t, false);
    }
    for (const name of optional) if (!stored.has(name)) view.fields[name] = describe(name, t, true);
  }
  if (fields.length > 0) {
    view.provided_fields = {};
    for (const f of fields) {
      view.provided_fields[f.name] = {
        ...describe(f.name, t, !required.includes(f.name)),
        status: f.status,
        ...(f.error ? { error: f.error } : {}),
      };
    }
  }
  if (state.status === 'REJECTED') view.message = customer?.message ?? t.t('kyc.rejected');
  else if (fields.some((f) => f.status === 'REJECTED'))
    view.message = customer?.message ?? t.t('kyc.needs_more_info');
  return view;
}

/** The tier the customer's own `status` describes: the highest one asked about (at least 1). */
export const targetTier = (c: Pick<CustomerRow, 'requested_tier'>) =>
  clampTier(Math.max(1, c.requested_tier));

// --- submitting fields ---------------------------------------------------------------------------------------

export type SubmittedValue = string | File;

export interface SubmitInput {
  key: CustomerKey;
  /** Raw SEP-9 values by wire name (aliases allowed, S9-07); files for binary fields (S9-08). */
  values: Record<string, SubmittedValue>;
  /** `<field>_verification` codes sent along (S12-16). */
  verificationCodes?: Record<string, string>;
  /** `<field>_file_id` references to uploads from POST /customer/files (S12-17). */
  fileRefs?: Record<string, string>;
  lang: Lang;
  /** Raise the requested tier (from a transaction or amount) before deciding what to check. */
  tier?: number;
  /** Overrides "today" for date rules (tests). */
  today?: string;
}

export type SubmitResult =
  | { ok: true; customer: CustomerRow }
  | { ok: false; status: 400 | 413; errors: Record<string, string> };

const label = (t: Translator, name: string) =>
  t.has(`sep9.field.${name}`) ? t.t(`sep9.field.${name}`) : name;

export function issueMessage(t: Translator, issue: Sep9Issue): string {
  return t.t(`sep9.error.${issue.code}`, { label: label(t, issue.field), ...(issue.params ?? {}) });
}

interface PreparedFile {
  name: string;
  bytes: Uint8Array;
  contentType: string;
}

/**
 * Validates and stores SEP-9 values for a customer (created on first use, S12-13). Bad formats come back as
 * per-field messages in `lang`; nothing is stored unless every field is valid. Files are sniffed (JPEG, PNG,
 * PDF) and size-capped (413). Then the customer's status is recomputed and a provider check started if the
 * target tier is complete.
 */
export async function submitFields(ctx: KycContext, input: SubmitInput): Promise<SubmitResult> {
  const t = translator(input.lang);
  const errors: Record<string, string> = {};
  let tooLarge = false;
  const texts = new Map<string, string>();
  const files: PreparedFile[] = [];
  const mobileFormat =
    typeof input.values.mobile_number_format === 'string' ? input.values.mobile_number_format : undefined;

  for (const [wireName, raw] of Object.entries(input.values)) {
    const name = canonicalSep9Name(wireName);
    if (!name) continue; // not a SEP-9 field: ignored, never stored
    const field = sep9Field(name)!;
    if (field.type === 'binary') {
      if (typeof raw === 'string') {
        errors[wireName] = issueMessage(t, { field: name, code: 'binary_as_text' });
        continue;
      }
      if (raw.size > ctx.config.kyc.uploadMaxBytes) {
        tooLarge = true;
        errors[wireName] = t.t('sep9.error.file_too_large', {
          label: label(t, name),
          max: formatByteSize(input.lang, ctx.config.kyc.uploadMaxBytes),
        });
        continue;
      }
      if (raw.size === 0) {
        errors[wireName] = t.t('sep9.error.file_empty', { label: label(t, name) });
        continue;
      }
      const bytes = new Uint8Array(await raw.arrayBuffer());
      const contentType = sniffDocumentType(bytes);
      if (!contentType) {
        errors[wireName] = t.t('sep9.error.file_type', { label: label(t, name) });
        continue;
      }
      files.push({ name, bytes, contentType });
      continue;
    }
    if (typeof raw !== 'string') {
      errors[wireName] = t.t('sep9.error.text_as_file', { label: label(t, name) });
      continue;
    }
    const value = raw.trim();
    if (value === '') continue; // an empty form field means "not provided", never "erase"
    const issue = validateSep9Value(name, value, {
      ...(input.today ? { today: input.today } : {}),
      ...(mobileFormat ? { mobileNumberFormat: mobileFormat } : {}),
    });
    if (issue) {
      errors[wireName] = issueMessage(t, issue);
      continue;
    }
    texts.set(name, value);
  }
  const referenced: { name: string; file: CustomerFileRow }[] = [];
  for (const [wireName, fileId] of Object.entries(input.fileRefs ?? {})) {
    const name = canonicalSep9Name(wireName);
    const wire = `${wireName}_file_id`;
    if (!name || sep9Field(name)?.type !== 'binary') {
      errors[wire] = t.t('sep9.error.file_id_field', { label: wireName });
      continue;
    }
    const file = await findOwnFile(ctx.db, input.key, fileId);
    if (!file || (file.customer_id === null && file.expires_at < new Date())) {
      errors[wire] = t.t('sep9.error.file_id', { label: label(t, name) });
      continue;
    }
    referenced.push({ name, file });
  }
  if (Object.keys(errors).length > 0) return { ok: false, status: tooLarge ? 413 : 400, errors };

  const existing = await findCustomer(ctx.db, input.key);
  const storedBefore = existing ? await listFields(ctx.db, existing.id) : [];
  const codeErrors = checkVerificationCodes(ctx, t, storedBefore, input.verificationCodes ?? {}, texts);
  if (Object.keys(codeErrors).length > 0) return { ok: false, status: 400, errors: codeErrors };

  // Every row of this PUT in one transaction (issue 15 row 3): a failure half-way leaves no customer, no field
  // and no document behind. Documents go to the blob store inside it and are removed again if it rolls back;
  // the documents they replace are deleted only after the commit.
  const newBlobs: string[] = [];
  let written: {
    customer: CustomerRow;
    previousStatus: CustomerRow['status'] | undefined;
    replaced: string[];
  };
  try {
    written = await ctx.db.transaction().execute(async (trx) => {
      const customer = await upsertCustomer(trx, input.key, input.lang);
      const replacedBlobs: string[] = [];
      const storedByName = new Map(storedBefore.map((f) => [f.name, f]));
      let changedAcceptedData = false;
      const acceptedRequired = new Set(
        customer.accepted_tier > 0 ? tierFields(customer.accepted_tier).required : [],
      );

      for (const file of files) {
        const blobKey = `${customer.id}/${file.name}-${randomUUID()}`;
        newBlobs.push(blobKey);
        await ctx.blobs.put(blobKey, file.bytes);
        const { replacedBlobKey } = await upsertField(trx, customer.id, {
          name: file.name,
          blobKey,
          contentType: file.contentType,
          sizeBytes: file.bytes.length,
          status: 'PROCESSING',
        });
        if (replacedBlobKey) replacedBlobs.push(replacedBlobKey);
        if (acceptedRequired.has(file.name)) changedAcceptedData = true;
      }
      for (const { name, file } of referenced) {
        if (storedByName.get(name)?.blob_key === file.blob_key) continue; // the same file again
        const { replacedBlobKey } = await upsertField(trx, customer.id, {
          name,
          blobKey: file.blob_key,
          contentType: file.content_type,
          sizeBytes: file.size_bytes,
          status: 'PROCESSING',
        });
        await attachFile(trx, file.id, customer.id);
        if (replacedBlobKey) replacedBlobs.push(replacedBlobKey);
        if (acceptedRequired.has(name)) changedAcceptedData = true;
      }
      for (const [name, value] of texts) {
        const before = storedByName.get(name);
        if (before && before.value === value && before.status !== 'REJECTED') continue; // idempotent re-PUT
        const needsCode = (ctx.config.kyc.verifyFields as readonly string[]).includes(name);
        await upsertField(trx, customer.id, {
          name,
          value,
          status: needsCode ? 'VERIFICATION_REQUIRED' : 'PROCESSING',
        });
        if (acceptedRequired.has(name)) changedAcceptedData = true;
      }
      // Codes for fields stored earlier (S12-16): checked above, now the field moves on.
      for (const name of Object.keys(input.verificationCodes ?? {})) {
        if (!texts.has(name)) await markFieldVerified(trx, customer.id, name);
      }

      const patch: Partial<CustomerRow> = {};
      if (input.tier && input.tier > customer.requested_tier) patch.requested_tier = clampTier(input.tier);
      // Changing data a tier was approved on sends it back through the provider.
      if (changedAcceptedData) patch.accepted_tier = 0;
      const current =
        Object.keys(patch).length > 0 ? await updateCustomer(trx, customer.id, patch) : customer;
      return { customer: current, previousStatus: existing?.status, replaced: replacedBlobs };
    });
  } catch (err) {
    for (const key of newBlobs) await ctx.blobs.delete(key).catch(() => {});
    throw err;
  }
  const { customer } = written;
  // Blobs under the customer's prefix were uploaded with PUT; those of customer_files stay with their row.
  for (const key of written.replaced) if (key.startsWith(`${customer.id}/`)) await ctx.blobs.delete(key);
  return { ok: true, customer: await refreshCustomer(ctx, customer, written.previousStatus) };
}

function checkVerificationCodes(
  ctx: KycContext,
  t: Translator,
  stored: readonly CustomerFieldRow[],
  codes: Record<string, string>,
  newTexts: Map<string, string>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [name, code] of Object.entries(codes)) {
    const wire = `${name}_verification`;
    const field = stored.find((f) => f.name === name);
    const pending = field?.status === 'VERIFICATION_REQUIRED' && !newTexts.has(name);
    if (!pending) {
      errors[wire] = t.t('kyc.error.verification_not_pending', { label: label(t, name) });
    } else if (ctx.config.profile !== 'sandbox' || code.trim() !== ctx.config.kyc.sandboxVerificationCode) {
      errors[wire] = t.t('kyc.error.verification_code', { label: label(t, name) });
    }
  }
  return errors;
}

/** Splits `mobile_number_verification=123456` style keys out of a request (S12-16, S12-18). */
export function extractVerificationCodes(values: Record<string, unknown>): Record<string, string> {
  const codes: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    const m = /^(.+)_verification$/.exec(k);
    if (m && typeof v === 'string' && (VERIFIABLE_FIELDS as readonly string[]).includes(m[1]!))
      codes[m[1]!] = v;
  }
  return codes;
}

/** PUT /customer/verification and `<field>_verification` keys without other fields. */
export async function verifyCodes(
  ctx: KycContext,
  customer: CustomerRow,
  codes: Record<string, string>,
  lang: Lang,
): Promise<SubmitResult> {
  return submitFields(ctx, { key: customer, values: {}, verificationCodes: codes, lang });
}

// --- status, provider checks, callbacks -------------------------------------------------------------------

/**
 * Recomputes the customer's status for its target tier, starts a provider check when every required field
 * is in and none is open for that tier, stores the status and fires the wallet callback on a change.
 */
export async function refreshCustomer(
  ctx: KycContext,
  customer: CustomerRow,
  previousStatus: CustomerRow['status'] | undefined,
): Promise<CustomerRow> {
  const fields = await listFields(ctx.db, customer.id);
  const tier = targetTier(customer);
  const state = computeTierStatus(customer, fields, tier);
  if (state.status === 'PROCESSING') {
    // Find-or-create under the customer's row lock: requests racing on one customer (several PUTs that each
    // complete the tier) open one check between them, not one each (issue 15). A repeated submit of the same
    // check is harmless: the provider answers with the check it has for that reference.
    const check = await ctx.db.transaction().execute(async (trx) => {
      await lockCustomer(trx, customer.id);
      const open = await openChecks(trx, customer.id);
      return open.find((c) => c.tier >= tier) ?? (await createCheck(trx, customer.id, tier));
    });
    if (check.status === 'pending_submit') await submitCheck(ctx, customer.id, check.id, check.tier, fields);
  }
  let current = customer;
  if (state.status !== customer.status)
    current = await updateCustomer(ctx.db, customer.id, { status: state.status });
  if (previousStatus !== current.status) await notifyCallback(ctx, current, fields);
  return current;
}

async function submitCheck(
  ctx: KycContext,
  customerId: string,
  checkId: string,
  tier: number,
  fields: readonly CustomerFieldRow[],
): Promise<void> {
  const texts: Record<string, string> = {};
  const documents: Record<string, { content_type: string; size: number }> = {};
  for (const f of fields) {
    if (f.status === 'REJECTED' || f.status === 'VERIFICATION_REQUIRED') continue;
    if (f.blob_key) documents[f.name] = { content_type: f.content_type ?? '', size: f.size_bytes ?? 0 };
    else if (f.value !== null) texts[f.name] = f.value;
  }
  try {
    const { providerCheckId } = await ctx.provider.submitCheck({
      reference: checkId,
      tier,
      fields: texts,
      documents,
    });
    await updateCheck(ctx.db, checkId, {
      status: 'submitted',
      provider_check_id: providerCheckId,
      last_sent_at: new Date(),
    });
  } catch (err) {
    // Stays as it was (pending_submit, or submitted with the old last_sent_at): the next GET retries it.
    ctx.logger.warn(
      { customerId, checkId, error: err instanceof Error ? err.message : 'error' },
      'KYC check not submitted yet',
    );
  }
}

/** Retries checks the provider has not received or has not answered for too long (called on GET /customer). */
export async function resubmitPendingChecks(ctx: KycContext, customer: CustomerRow): Promise<void> {
  // Never delivered, or delivered so long ago that the provider may have lost it (the reference makes a
  // repeat harmless: the provider answers with the check it already has).
  const staleBefore = new Date(Date.now() - ctx.config.kyc.checkResendSeconds * 1000);
  const pending = (await openChecks(ctx.db, customer.id)).filter(
    (c) => c.status === 'pending_submit' || (c.last_sent_at !== null && c.last_sent_at < staleBefore),
  );
  if (pending.length === 0) return;
  const fields = await listFields(ctx.db, customer.id);
  for (const check of pending) await submitCheck(ctx, customer.id, check.id, check.tier, fields);
}

/**
 * Announces the customer's status to its callback, once per change: of two requests racing on one customer (a PUT
 * and a verdict, two PUTs) that both saw the change, the one that claims it (claimAnnouncement) sends it.
 */
async function notifyCallback(
  ctx: KycContext,
  customer: CustomerRow,
  fields: readonly CustomerFieldRow[],
): Promise<void> {
  if (!customer.callback_url) return;
  if (!(await claimAnnouncement(ctx.db, customer.id, customer.status))) return;
  const body = JSON.stringify(customerView(customer, fields, targetTier(customer), customer.lang));
  ctx.callbacks.send({ customerId: customer.id, url: customer.callback_url, body });
  if (customer.status === 'ACCEPTED' || customer.status === 'REJECTED') {
    // S12-23: stop after a final status; the wallet registers again if it wants more.
    void updateCustomer(ctx.db, customer.id, { callback_url: null }).catch(() => {});
  }
}

// --- provider verdicts (webhook) -----------------------------------------------------------------------------

/** One verdict event from the provider, as the webhook received it. */
export interface ProviderEvent {
  eventId: string;
  /** Our check id (the `reference` we sent with the check). */
  checkId: string;
  result: 'approved' | 'rejected' | 'needs_more_info';
  reason?: string | undefined;
  /** needs_more_info: the fields to send again. */
  fields?: string[] | undefined;
}

export type VerdictOutcome =
  /** The event id was seen before. */
  | { status: 'duplicate' }
  /** No such check (an erased customer, or another install's): acknowledged so the provider stops. */
  | { status: 'ignored' }
  /** The check already had its verdict: a second, possibly contrary, one changes nothing. */
  | { status: 'already_decided'; checkId: string }
  | { status: 'applied'; checkId: string; customer: CustomerRow };

const CHECK_STATUS = { approved: 'approved', rejected: 'rejected', needs_more_info: 'needs_info' } as const;

/**
 * Applies a provider event at most once (issue 15 row 1). One transaction claims the event id (insert-or-skip),
 * locks the customer, decides the check with a conditional update (only an open check can be decided, so of
 * two contrary verdicts sent at once exactly one wins) and writes the customer's tier, message and status from
 * that decision. Only after the commit, and only for the winner: the follow-up check when data changed
 * meanwhile, the one wallet callback and the workflow signals. A failure rolls everything back, the event id
 * included, so the provider's retry is applied rather than mistaken for a repeat.
 */
export async function applyProviderEvent(ctx: KycContext, event: ProviderEvent): Promise<VerdictOutcome> {
  const decided = await ctx.db.transaction().execute(async (trx) => {
    if (!(await recordWebhookEvent(trx, event.eventId))) return { status: 'duplicate' } as const;
    const check = await findCheck(trx, event.checkId);
    const customer = check && (await lockCustomer(trx, check.customer_id));
    if (!check || !customer) return { status: 'ignored' } as const;
    const won = await decideCheck(trx, check.id, CHECK_STATUS[event.result]);
    if (!won) return { status: 'already_decided', checkId: check.id } as const;
    const after = await recordDecision(trx, customer, won, event);
    return { status: 'applied', checkId: check.id, before: customer.status, customer: after } as const;
  });
  if (decided.status !== 'applied') return decided;
  // Read again after the commit: a callback URL registered while the decision held the row lock is the one
  // the wallet wants told.
  const committed = (await findCustomerById(ctx.db, decided.customer.id)) ?? decided.customer;
  const current = await refreshCustomer(ctx, committed, decided.before);
  await signalWaiters(ctx, current);
  return { status: 'applied', checkId: decided.checkId, customer: current };
}

/** The customer side of a decided check, inside the deciding transaction; returns the row with its status. */
async function recordDecision(
  trx: Db,
  customer: CustomerRow,
  check: KycCheckRow,
  event: ProviderEvent,
): Promise<CustomerRow> {
  const t = translator(customer.lang);
  let current: CustomerRow;
  if (event.result === 'approved') {
    // The provider approved what it was sent: values stored no later than the check's creation.
    await acceptProcessingFields(trx, customer.id, check.created_at);
    // Data of this tier changed while the provider was checking: the approval does not cover it, so the
    // tier is not granted and refreshCustomer sends the new data to a fresh check after the commit.
    const required = new Set(tierFields(check.tier).required);
    const changedSince = (await listFields(trx, customer.id)).some(
      (f) => required.has(f.name) && f.updated_at > check.created_at,
    );
    current = await updateCustomer(trx, customer.id, {
      accepted_tier: changedSince ? customer.accepted_tier : Math.max(customer.accepted_tier, check.tier),
      message: null,
    });
  } else if (event.result === 'rejected') {
    current = await updateCustomer(trx, customer.id, {
      status: 'REJECTED',
      message: event.reason ?? t.t('kyc.rejected'),
    });
  } else {
    const names = (event.fields ?? []).map((n) => canonicalSep9Name(n)).filter((n): n is string => !!n);
    const reason = event.reason ?? t.t('kyc.needs_more_info');
    await rejectFields(trx, customer.id, names, reason);
    current = await updateCustomer(trx, customer.id, { message: reason });
  }
  // The stored status follows the decision in the same commit: a reader never sees an approved check next to
  // a customer still PROCESSING, or a REJECTED customer next to an open tier.
  const state = computeTierStatus(current, await listFields(trx, customer.id), targetTier(current));
  return state.status === current.status
    ? current
    : updateCustomer(trx, customer.id, { status: state.status });
}

/** Signals `kycStatus` to every workflow registered on this customer; final answers unregister it. */
export async function signalWaiters(ctx: KycContext, customer: CustomerRow): Promise<void> {
  if (!ctx.temporal) return;
  const key = { account: customer.account, memo: customer.memo };
  const waiters = await listWaiters(ctx.db, key);
  if (waiters.length === 0) return;
  const fields = await listFields(ctx.db, customer.id);
  for (const waiter of waiters) {
    const state = computeTierStatus(customer, fields, waiter.tier);
    const change: KycStatusChange = {
      customerId: customer.id,
      account: customer.account,
      memo: customer.memo === '' ? null : customer.memo,
      status: state.status,
      tier: waiter.tier,
      ...(customer.message ? { message: customer.message } : {}),
    };
    try {
      await ctx.temporal.workflow.getHandle(waiter.workflow_id).signal(kycStatusSignal, change);
      if (state.status === 'ACCEPTED' || state.status === 'REJECTED')
        await removeWaiter(ctx.db, key, waiter.workflow_id);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        await removeWaiter(ctx.db, key, waiter.workflow_id);
      } else {
        ctx.logger.warn({ customerId: customer.id, workflowId: waiter.workflow_id }, 'KYC signal failed');
      }
    }
  }
}

// --- erasure -------------------------------------------------------------------------------------------------

/**
 * S12-20/21: removes every row and file of the customer, including uploads from POST /customer/files; false
 * when there was nothing to erase.
 */
export async function eraseCustomerData(ctx: KycContext, key: CustomerKey): Promise<boolean> {
  const customer = await findCustomer(ctx.db, key);
  const fileBlobs = await deleteOwnFiles(ctx.db, key);
  for (const blob of fileBlobs) await ctx.blobs.delete(blob);
  if (!customer) return fileBlobs.length > 0;
  const subjectHash = createHash('sha256')
    .update(`${key.account}:${key.memo ?? ''}`)
    .digest('hex');
  const result = await ctx.db.transaction().execute((trx) => eraseCustomer(trx, customer.id, subjectHash));
  if (!result) return false;
  await ctx.blobs.deletePrefix(customer.id);
  return true;
}

/** S12-26: stores one upload for later `<field>_file_id` use; 413 when too large, 400 when not a document. */
export async function storeCustomerFile(
  ctx: KycContext,
  key: CustomerKey,
  file: File,
  lang: Lang,
): Promise<{ ok: true; file: CustomerFileRow } | { ok: false; status: 400 | 413; error: string }> {
  const t = translator(lang);
  const what = t.t('kyc.file');
  if (file.size > ctx.config.kyc.uploadMaxBytes) {
    return {
      ok: false,
      status: 413,
      error: t.t('sep9.error.file_too_large', {
        label: what,
        max: formatByteSize(lang, ctx.config.kyc.uploadMaxBytes),
      }),
    };
  }
  if (file.size === 0)
    return { ok: false, status: 400, error: t.t('sep9.error.file_empty', { label: what }) };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const contentType = sniffDocumentType(bytes);
  if (!contentType) return { ok: false, status: 400, error: t.t('sep9.error.file_type', { label: what }) };
  // Housekeeping on the way: uploads nobody referenced in time are personal data we no longer need.
  for (const blob of await deleteExpiredFiles(ctx.db, new Date())) await ctx.blobs.delete(blob);
  const id = randomUUID();
  const blobKey = `files/${id}`;
  await ctx.blobs.put(blobKey, bytes);
  const customer = await findCustomer(ctx.db, key);
  const row = await insertCustomerFile(ctx.db, {
    id,
    key,
    blobKey,
    contentType,
    sizeBytes: bytes.length,
    expiresAt: new Date(Date.now() + FILE_TTL_MS),
    customerId: customer?.id ?? null,
  });
  return { ok: true, file: row };
}

/** An upload not referenced by a customer within this time can no longer be (S12-26 `expires_at`). */
export const FILE_TTL_MS = 24 * 60 * 60 * 1000;

/** The S12-26 / S12-27 wire shape of a file. */
export function fileView(f: CustomerFileRow) {
  return {
    file_id: f.id,
    content_type: f.content_type,
    size: f.size_bytes,
    expires_at: f.expires_at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    customer_id: f.customer_id,
  };
}
