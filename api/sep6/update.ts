import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { depositWorkflowId, withdrawalWorkflowId } from '../../core/ids.js';
import { awaitsInfoUpdate, awaitsRequoteConsent, toSep6Transaction } from '../../core/transfers/sep6-wire.js';
import type { TransactionRow } from '../../db/schema.js';
import { clearRequiredInfo, findTransactionForSub } from '../../db/transactions.js';
import { canonicalAmount } from '../../stellar/money.js';
import { interactiveCompletedSignal, quoteConsentSignal } from '../../workflows/messages.js';
import type { ApiDeps } from '../deps.js';
import { type AuthEnv, requireSep10 } from '../middleware/auth.js';
import { badRequest, notFound } from '../middleware/errors.js';
import type { Router } from '../openapi/hono.js';
import { transactionObject } from './schemas.js';
import { checkDestination, saveDestination } from './transfers.js';

const patchBody = z
  .object({
    transaction: z
      .record(z.string().max(64), z.string().max(200))
      .openapi({ description: 'the fields named in required_info_updates' }),
  })
  .openapi('Sep6TransactionPatch');

/**
 * PATCH /transactions/:id (S6-11): the fields a transfer in `pending_transaction_info_update` asked for in
 * `required_info_updates` — today the payout account of a withdrawal started without `dest`. Only the owner, only
 * in that status (otherwise 400), only the fields asked for. The row goes back to `pending_anchor` and the
 * WithdrawalWorkflow gets the `interactiveCompleted` signal it was waiting for, so the run goes on exactly as if
 * the fields had come with GET /withdraw.
 */
export function registerSep6Update(app: Router<AuthEnv>, deps: ApiDeps) {
  const { config, db, temporal } = deps;
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/transactions/{id}',
      tags: ['SEP-6'],
      summary: 'Supply the fields in required_info_updates (S6-11)',
      security: [{ sep10: [] }],
      middleware: [requireSep10(config, 'sep24')] as const,
      request: {
        params: z.object({ id: z.string().max(100) }),
        body: { content: { 'application/json': { schema: patchBody } }, required: true },
      },
      responses: {
        200: {
          description: 'the transaction, back in pending_anchor',
          content: { 'application/json': { schema: z.object({ transaction: transactionObject }) } },
        },
        400: { description: '`{"error"}`: not waiting for information, or a field not asked for or invalid' },
        403: { description: 'authentication_required' },
        404: { description: 'no such transaction of the caller' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const fields = c.req.valid('json').transaction;
      const sub = c.get('identity').sub;
      const row = await findTransactionForSub(db, sub, { id });
      if (!row) throw notFound('transaction not found');
      if (!awaitsInfoUpdate(row) || row.required_info_updates === null) {
        throw badRequest('the transaction is not pending_transaction_info_update: nothing to update');
      }
      const asked = row.required_info_updates;
      if (awaitsRequoteConsent(row)) return answerRequote(c, row, fields);
      for (const name of Object.keys(fields)) {
        if (!(name in asked)) throw badRequest(`${name} is not a field this transaction asked for`);
      }
      for (const [name, spec] of Object.entries(asked)) {
        if (!spec.optional && !fields[name]) throw badRequest(`${name} is required`);
      }
      const destination = checkDestination(c.get('identity').account, fields.dest!, fields.dest_extra);

      const updated = await db.transaction().execute(async (trx) => {
        const cleared = await clearRequiredInfo(trx, { id, sub });
        if (!cleared) return undefined;
        const masked = await saveDestination(config, trx, id, destination);
        return { row: cleared, masked };
      });
      if (!updated)
        throw badRequest('the transaction is not pending_transaction_info_update: nothing to update');

      await temporal.workflow.getHandle(withdrawalWorkflowId(id)).signal(interactiveCompletedSignal, {
        amount: row.amount_expected === null ? null : canonicalAmount(row.amount_expected),
        destinationMasked: updated.masked,
        lang: row.lang,
      });
      deps.logger.info({ transactionId: id }, 'sep6 transaction info updated');
      return c.json({ transaction: toSep6Transaction(config, updated.row) }, 200);
    },
  );

  /** `accept_quote` of a requote (SEP38_EXPIRED_QUOTE_RULE=requote): yes converts at the new quote, no refunds. */
  async function answerRequote(
    c: Context<AuthEnv>,
    row: TransactionRow,
    fields: Record<string, string>,
  ): Promise<Response> {
    for (const name of Object.keys(fields)) {
      if (name !== 'accept_quote') throw badRequest(`${name} is not a field this transaction asked for`);
    }
    const accept = parseConsent(fields.accept_quote);
    if (accept === null) throw badRequest('accept_quote must be yes or no');
    if ((row.user_action_required_by?.getTime() ?? 0) <= Date.now()) {
      throw badRequest(`quote_id ${row.quote_id} expired: the funds are sent back`);
    }
    const answered = await answerRequoteOnce(deps, row, c.get('identity').sub, accept);
    if (!answered)
      throw badRequest('the transaction is not pending_transaction_info_update: nothing to update');
    deps.logger.info({ transactionId: row.id, accept }, 'sep6 requote answered');
    return c.json({ transaction: toSep6Transaction(config, answered) }, 200);
  }
}

/** yes / no (also true / false, accept / decline); anything else is null. */
export function parseConsent(value: string | undefined): boolean | null {
  const v = (value ?? '').trim().toLowerCase();
  if (['yes', 'true', 'accept', 'y', '1'].includes(v)) return true;
  if (['no', 'false', 'decline', 'refund', 'n', '0'].includes(v)) return false;
  return null;
}

/**
 * Records the user's answer to a requote once (one conditional UPDATE clears `accept_quote`) and signals the
 * transfer's workflow with the quote it answers; undefined when nothing was waiting (already answered, expired).
 */
export async function answerRequoteOnce(
  deps: Pick<ApiDeps, 'db' | 'temporal'>,
  row: TransactionRow,
  sub: string,
  accept: boolean,
): Promise<TransactionRow | undefined> {
  if (!row.quote_id) return undefined;
  const cleared = await clearRequiredInfo(deps.db, { id: row.id, sub });
  if (!cleared) return undefined;
  const workflowId = row.kind === 'deposit' ? depositWorkflowId(row.id) : withdrawalWorkflowId(row.id);
  await deps.temporal.workflow
    .getHandle(workflowId)
    .signal(quoteConsentSignal, { quoteId: row.quote_id, accept });
  return cleared;
}
