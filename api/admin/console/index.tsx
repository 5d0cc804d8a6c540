import { createRoute, OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AdminScope } from '../../../config/admin-keys.js';
import {
  AdminActionError,
  acknowledgeOperatorAlert,
  attachUnmatched,
  decideWithdrawal,
  refundTransaction,
  refundUnmatched,
  submitTopUpEnvelope,
  workflowIdFor,
  workflowUrl,
} from '../../../core/admin/actions.js';
import { statusHistory } from '../../../core/admin/history.js';
import { maskAccount } from '../../../core/bank/mask.js';
import { withdrawalReview, withdrawalsAwaitingDecision } from '../../../db/admin-console.js';
import { InvalidCursorError, searchTransactions } from '../../../db/admin-search.js';
import { listAlerts } from '../../../db/alerts.js';
import { listUnmatchedTransfers } from '../../../db/bank.js';
import { customerOfTransaction, findCustomer } from '../../../db/customers.js';
import { TRANSACTION_STATUSES } from '../../../db/schema.js';
import { listTopUps } from '../../../db/topups.js';
import { getTransaction } from '../../../db/transactions.js';
import type { ApiDeps } from '../../deps.js';
import { HttpError } from '../../middleware/errors.js';
import { clientIp } from '../../middleware/rate-limit.js';
import { auditTrail } from '../audit.js';
import { adminAction, matchAdminKey } from '../auth.js';
import { ConsolePage, type ConsoleUser, consoleUrl, setConsoleHeaders } from './layout.js';
import {
  AlertsPage,
  ErrorView,
  OverviewPage,
  SignInPage,
  TopUpsPage,
  TransactionPage,
  TransactionsPage,
  txLink,
  UnmatchedPage,
} from './pages.js';
import {
  CONSOLE_PATH,
  type ConsoleEnv,
  closeSession,
  issueSignInToken,
  openSession,
  requireSession,
  sameToken,
  signInTokenMatches,
} from './session.js';

/**
 * The operator console at /admin/console: server-rendered pages over the same service functions
 * (core/admin/actions.ts), scopes (adminAction) and audit trail (auditTrail, same action names) as the admin JSON
 * API. Signing in takes an admin key and opens a server-side session (session.ts); every form carries the
 * session's CSRF token; each action redirects back with a notice (post/redirect/get).
 */

const TAGS = ['operator console'];
const PAGE = { description: 'HTML page' };
const REDIRECT = { description: 'redirect (post/redirect/get, or to the sign-in page without a session)' };
const REFUSED = {
  description: 'HTML page saying why (bad form, wrong scope or CSRF token, not found, conflict)',
};

const NOTICES: Record<string, string> = {
  approve: 'Withdrawal approved: its workflow pays it out now.',
  reject: 'Withdrawal rejected: its workflow refunds the user.',
  refund: 'Refund requested: the workflow refunds what it received.',
  attached: 'Transfer attached: the deposit goes on.',
  refunded: 'Transfer refunded to its sender.',
  submitted: 'Signed envelope handed to the top-up workflow.',
  acknowledged: 'Alert acknowledged.',
  signed_out: 'Signed out.',
};

const idParam = z.object({ id: z.string().min(1).max(200) });
const reason = z.string().trim().min(1, 'is required').max(500);
const FORM_UNREADABLE = 'This form could not be read. Reload the page and try again.';
const FORM_MEDIA_TYPE =
  'The console takes only its own forms (application/x-www-form-urlencoded or multipart/form-data).';

const form = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/x-www-form-urlencoded': { schema } }, required: true },
});

function route<R extends Omit<RouteConfig, 'responses' | 'tags'>>(r: R) {
  return createRoute({
    ...r,
    tags: TAGS,
    responses: { 200: PAGE, 303: REDIRECT, 400: REFUSED, 403: REFUSED, 404: REFUSED, 409: REFUSED },
  } as R & { responses: RouteConfig['responses']; tags: string[] });
}

/** A form field named by humans (the schema's own keys are the form's names). */
const LABELS: Record<string, string> = {
  transaction_id: 'Transaction id',
  envelope_xdr: 'Signed envelope',
  reason: 'Reason',
  note: 'Note',
  decision: 'Decision',
  key: 'Admin key',
};

type Mw = MiddlewareHandler<ConsoleEnv>[];

class ConsoleRefusal extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
  ) {
    super(message);
  }
}

export function consoleApp(deps: ApiDeps) {
  const { db, config, logger } = deps;
  const app = new OpenAPIHono<ConsoleEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const problems = (result.error as z.ZodError).issues.map((issue) => {
          const name = String(issue.path[0] ?? '');
          return `${LABELS[name] ?? name}: ${issue.message}`;
        });
        throw new ConsoleRefusal(400, `${problems.join('; ')}.`);
      }
    },
  });

  const userOf = (c: Context<ConsoleEnv>): ConsoleUser | undefined => {
    const session = c.get('session');
    const admin = c.get('admin');
    return session && admin
      ? { name: admin.name, scopes: admin.scopes, csrf: session.csrf_token }
      : undefined;
  };
  const render = (
    c: Context<ConsoleEnv>,
    title: string,
    current: string | undefined,
    body: unknown,
    status = 200,
  ) => {
    setConsoleHeaders(c);
    const notice = NOTICES[c.req.query('notice') ?? ''];
    return c.html(
      <ConsolePage config={config} title={title} user={userOf(c)} current={current} notice={notice}>
        {body}
      </ConsolePage>,
      status as ContentfulStatusCode,
    );
  };
  const done = (c: Context, path: string, notice: string) =>
    c.redirect(`${consoleUrl(path)}?notice=${notice}`, 303);

  // Every posted form is read once here, before any validator: a broken one (multipart without a boundary, a
  // cut part) is a 400 page, not a crash. Later reads get Hono's cached result.
  // Anything else posted (text/plain, JSON, no type) is not a console form: 415, before any route reads it.
  app.use('*', async (c, next) => {
    if (c.req.method === 'POST') {
      if (
        !/^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(
          c.req.header('Content-Type') ?? '',
        )
      ) {
        throw new ConsoleRefusal(415, FORM_MEDIA_TYPE);
      }
      await c.req.parseBody().catch(() => {
        throw new ConsoleRefusal(400, FORM_UNREADABLE);
      });
    }
    await next();
  });

  app.onError((err, c) => {
    const ctx = c as Context<ConsoleEnv>;
    let status: ContentfulStatusCode = 500;
    let message = `Something went wrong (request id ${c.get('requestId') ?? 'unknown'}).`;
    if (err instanceof ConsoleRefusal || err instanceof HttpError) {
      status = err.status;
      message = err.message;
    } else if (err instanceof AdminActionError) {
      status = err.kind === 'not_found' ? 404 : err.kind === 'conflict' ? 409 : 502;
      message = err.message;
    } else if (err instanceof InvalidCursorError) {
      status = 400;
      message = err.message;
    } else {
      logger.error(
        { requestId: c.get('requestId'), err: { message: err.message, name: err.name } },
        'console error',
      );
    }
    const title =
      {
        400: 'Check the form',
        403: 'Not allowed',
        404: 'Not found',
        409: 'Not possible now',
        415: 'Not a form',
        502: 'Refused',
      }[status as number] ?? 'Error';
    const back = c.req.header('Referer')?.startsWith(config.api.publicUrl)
      ? c.req.header('Referer')
      : undefined;
    return render(ctx, title, undefined, <ErrorView message={message} back={back} />, status);
  });

  /** The session's CSRF token must come back in every posted form. */
  const csrf = async (c: Context<ConsoleEnv>, next: () => Promise<void>) => {
    // A broken form (multipart without a boundary, a cut part) is the user's mistake: 400, not a crash.
    const body = await c.req.parseBody().catch(() => {
      throw new ConsoleRefusal(400, FORM_UNREADABLE);
    });
    if (!sameToken(typeof body._csrf === 'string' ? body._csrf : undefined, c.get('session').csrf_token)) {
      c.set('auditDetail', { refused: 'csrf_token' });
      throw new ConsoleRefusal(
        403,
        'This form has expired or did not come from the console. Reload the page and try again.',
      );
    }
    await next();
  };
  /** Signed-in routes: session, then the audit trail, then (for forms) CSRF, then the scope of the action. */
  const signedIn = (action: string, scope: AdminScope | undefined, post: boolean) => [
    requireSession(db, config),
    auditTrail(db, logger),
    async (c: Context<ConsoleEnv>, next: () => Promise<void>) => {
      c.set('auditAction', action);
      c.set('auditTarget', c.req.param('id') ?? null);
      await next();
    },
    ...(post ? [csrf] : []),
    ...(scope ? [adminAction(action, scope)] : []),
  ];
  const can = (c: Context<ConsoleEnv>, scope: AdminScope) => c.get('admin').scopes.has(scope);
  const operator = (c: Context<ConsoleEnv>) => c.get('admin').name;

  // --- sign in / out ---------------------------------------------------------------------------------------
  app.openapi(route({ method: 'get', path: '/login', summary: 'Console sign-in page' }), (c) => {
    const token = issueSignInToken(c, config);
    return render(c, 'Sign in', undefined, <SignInPage csrf={token} ended={c.req.query('ended') === '1'} />);
  });

  app.openapi(
    route({
      method: 'post',
      path: '/login',
      summary: 'Sign in with an admin key (opens a session cookie)',
      middleware: [auditTrail(db, logger)] as unknown as Mw,
      request: form(z.object({ key: z.string().max(200), _csrf: z.string().max(100) })),
    }),
    async (c) => {
      c.set('auditAction', 'console.sign_in');
      c.set('auditTarget', null);
      const { key: raw, _csrf } = c.req.valid('form');
      if (!signInTokenMatches(c, _csrf)) {
        throw new ConsoleRefusal(
          403,
          'This sign-in form has expired or did not come from the console. Reload it.',
        );
      }
      const key = raw.trim() ? matchAdminKey(config.ops.adminKeys, raw.trim()) : undefined;
      if (!key) {
        // Counted and rate-limited per client IP like a failed /admin key (auditTrail, #15 row 6): past
        // ADMIN_AUTH_RATE_LIMIT_MAX a minute the form answers 429 and says when to try again.
        c.set('authFailure', {
          clientIp: clientIp(c, config.sep10.trustedProxyHops),
          reason: raw.trim() ? 'unknown_key' : 'no_key',
          limit: config.ops.adminAuthLimit,
          limitedPage: (retryIn) =>
            render(
              c,
              'Sign in',
              undefined,
              <SignInPage
                csrf={issueSignInToken(c, config)}
                error={`Too many failed sign-ins from this address. Try again in ${retryIn} s.`}
              />,
              429,
            ),
        });
        const token = issueSignInToken(c, config);
        return render(
          c,
          'Sign in',
          undefined,
          <SignInPage csrf={token} error="This admin key is not valid." />,
          401,
        );
      }
      c.set('admin', key);
      await openSession(c, db, config, key);
      return c.redirect(consoleUrl('/'), 303);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/logout',
      summary: 'Sign out (ends the session)',
      middleware: signedIn('console.sign_out', undefined, true) as Mw,
    }),
    async (c) => {
      await closeSession(c, db);
      return c.redirect(`${consoleUrl('/login')}?notice=signed_out`, 303);
    },
  );

  // --- overview --------------------------------------------------------------------------------------------
  app.openapi(
    route({
      method: 'get',
      path: '/',
      summary: 'What waits for an operator',
      middleware: signedIn('console.overview', 'transactions:read', false) as Mw,
    }),
    async (c) => {
      const [awaiting, unmatched, topUps, alerts] = await Promise.all([
        withdrawalsAwaitingDecision(db, 100),
        listUnmatchedTransfers(db, { state: 'open', limit: 500 }),
        can(c, 'topups:read') ? listTopUps(db, 'awaiting_signature', 100) : undefined,
        can(c, 'ops:read') ? listAlerts(db, { state: 'open', limit: 500 }) : undefined,
      ]);
      return render(
        c,
        'Overview',
        '/',
        <OverviewPage
          user={userOf(c)!}
          currency={config.bank.currency}
          awaiting={awaiting}
          unmatched={unmatched.length}
          topUps={topUps}
          alerts={alerts}
        />,
      );
    },
  );

  // --- transactions ----------------------------------------------------------------------------------------
  const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
  const dateFilter = z.preprocess(emptyToUndefined, z.iso.date().optional());
  app.openapi(
    route({
      method: 'get',
      path: '/transactions',
      summary: 'Search and filter transactions',
      middleware: signedIn('transactions.search', 'transactions:read', false) as Mw,
      request: {
        query: z.object({
          status: z.preprocess(emptyToUndefined, z.enum(TRANSACTION_STATUSES).optional()),
          kind: z.preprocess(emptyToUndefined, z.enum(['deposit', 'withdrawal']).optional()),
          account: z.preprocess(emptyToUndefined, z.string().trim().max(69).optional()),
          from: dateFilter,
          to: dateFilter,
          cursor: z.preprocess(emptyToUndefined, z.string().max(200).optional()),
        }),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      c.set('auditDetail', { status: q.status, kind: q.kind, from: q.from, to: q.to });
      const { rows, nextCursor } = await searchTransactions(db, {
        status: q.status,
        kind: q.kind,
        account: q.account,
        from: q.from ? `${q.from}T00:00:00Z` : undefined,
        to: q.to ? `${q.to}T00:00:00Z` : undefined,
        cursor: q.cursor,
        limit: 50,
      });
      const filters = { status: q.status, kind: q.kind, account: q.account, from: q.from, to: q.to };
      return render(
        c,
        'Transactions',
        '/transactions',
        <TransactionsPage currency={config.bank.currency} filters={filters} rows={rows} next={nextCursor} />,
      );
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/transactions/{id}',
      summary: 'One transaction: amounts, KYC status, review, status history, Temporal UI link',
      middleware: signedIn('transactions.view', 'transactions:read', false) as Mw,
      request: { params: idParam },
    }),
    async (c) => {
      const tx = await getTransaction(db, c.req.valid('param').id);
      if (!tx) throw new ConsoleRefusal(404, 'No transaction has this id.');
      const workflowId = workflowIdFor(tx);
      const [customer, review, history] = await Promise.all([
        can(c, 'kyc:read') ? findCustomer(db, customerOfTransaction(tx)) : undefined,
        tx.kind === 'withdrawal' ? withdrawalReview(db, tx.id) : undefined,
        statusHistory(deps.temporal, workflowId),
      ]);
      return render(
        c,
        `${tx.kind === 'deposit' ? 'Deposit' : 'Withdrawal'} ${tx.id}`,
        undefined,
        <TransactionPage
          user={userOf(c)!}
          tx={tx}
          currency={config.bank.currency}
          kycStatus={customer?.status}
          review={review}
          history={history}
          workflow={{ id: workflowId, url: workflowUrl(config, workflowId) }}
        />,
      );
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/withdrawals/{id}/decision',
      summary: 'Approve or reject a withdrawal held for review, with a reason',
      middleware: signedIn('withdrawal.decision', 'transactions:write', true) as Mw,
      request: { params: idParam, ...form(z.object({ decision: z.enum(['approve', 'reject']), reason })) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('form');
      c.set('auditDetail', { decision: body.decision, reason: body.reason });
      await decideWithdrawal(deps, {
        transactionId: id,
        decision: body.decision,
        reason: body.reason,
        operator: operator(c),
      });
      return c.redirect(`${txLink(id)}?notice=${body.decision}`, 303);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/transactions/{id}/refund',
      summary: 'Refund what a transaction received',
      middleware: signedIn('transaction.refund', 'transactions:write', true) as Mw,
      request: { params: idParam, ...form(z.object({ reason })) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('form');
      c.set('auditDetail', { reason: body.reason });
      await refundTransaction(deps, { transactionId: id, reason: body.reason, operator: operator(c) });
      return c.redirect(`${txLink(id)}?notice=refund`, 303);
    },
  );

  // --- unmatched bank transfers ----------------------------------------------------------------------------
  app.openapi(
    route({
      method: 'get',
      path: '/bank/unmatched',
      summary: 'Bank transfers no deposit claimed',
      middleware: signedIn('bank.unmatched.list', 'transactions:read', false) as Mw,
    }),
    async (c) => {
      const rows = await listUnmatchedTransfers(db, { state: 'open', limit: 100 });
      return render(
        c,
        'Unmatched bank transfers',
        '/bank/unmatched',
        <UnmatchedPage user={userOf(c)!} rows={rows} mask={(a) => (a ? maskAccount(a) : null)} />,
      );
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/bank/unmatched/{id}/attach',
      summary: 'Attach an unmatched transfer to the deposit it funds',
      middleware: signedIn('bank.unmatched.attach', 'bank:write', true) as Mw,
      request: {
        params: idParam,
        ...form(
          z.object({
            transaction_id: z.string().trim().min(1, 'is required').max(100),
            note: z.preprocess(emptyToUndefined, z.string().trim().max(500).optional()),
          }),
        ),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('form');
      c.set('auditDetail', { transaction_id: body.transaction_id });
      await attachUnmatched(deps, {
        bankTransferId: id,
        transactionId: body.transaction_id,
        note: body.note,
        operator: operator(c),
      });
      return done(c, '/bank/unmatched', 'attached');
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/bank/unmatched/{id}/refund',
      summary: 'Refund an unmatched transfer to its sender',
      middleware: signedIn('bank.unmatched.refund', 'bank:write', true) as Mw,
      request: { params: idParam, ...form(z.object({ reason })) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('form');
      c.set('auditDetail', { reason: body.reason });
      await refundUnmatched(deps, { bankTransferId: id, reason: body.reason, operator: operator(c) });
      return done(c, '/bank/unmatched', 'refunded');
    },
  );

  // --- top-ups ---------------------------------------------------------------------------------------------
  app.openapi(
    route({
      method: 'get',
      path: '/topups',
      summary: 'Top-ups awaiting the cold signers',
      middleware: signedIn('topups.list', 'topups:read', false) as Mw,
    }),
    async (c) => {
      const rows = await listTopUps(db, 'awaiting_signature', 100);
      return render(c, 'Top-ups', '/topups', <TopUpsPage user={userOf(c)!} rows={rows} />);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/topups/{id}/signed-envelope',
      summary: 'Submit the signed top-up envelope',
      middleware: signedIn('topup.submit_signed', 'topups:write', true) as Mw,
      request: {
        params: idParam,
        ...form(z.object({ envelope_xdr: z.string().trim().min(1, 'is required').max(100_000) })),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { txHash } = await submitTopUpEnvelope(deps, {
        topUpId: id,
        envelopeXdr: c.req.valid('form').envelope_xdr,
        operator: operator(c),
      });
      c.set('auditDetail', { tx_hash: txHash });
      return done(c, '/topups', 'submitted');
    },
  );

  // --- alerts ----------------------------------------------------------------------------------------------
  app.openapi(
    route({
      method: 'get',
      path: '/alerts',
      summary: 'Open operator alerts',
      middleware: signedIn('alerts.list', 'ops:read', false) as Mw,
    }),
    async (c) => {
      const rows = await listAlerts(db, { state: 'open', limit: 200 });
      return render(c, 'Alerts', '/alerts', <AlertsPage user={userOf(c)!} rows={rows} />);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/alerts/{id}/ack',
      summary: 'Acknowledge an alert',
      middleware: signedIn('alert.ack', 'ops:write', true) as Mw,
      request: { params: idParam },
    }),
    async (c) => {
      await acknowledgeOperatorAlert(deps, c.req.valid('param').id);
      return done(c, '/alerts', 'acknowledged');
    },
  );

  // Anything else under the console is a console page too (never the admin API's JSON 401).
  app.all('*', (c) =>
    render(c, 'Not found', undefined, <ErrorView message="There is no console page here." />, 404),
  );
  return app;
}

export { CONSOLE_PATH };
