import type { Context } from 'hono';

/** Horizon's problem+json error bodies (https://stellar.org/horizon-errors/...). */

export const ERR = 'https://stellar.org/horizon-errors';

export class Problem extends Error {
  constructor(
    readonly status: 400 | 404 | 500 | 504,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.title));
  }
}

export const notFound = () =>
  new Problem(404, {
    type: `${ERR}/not_found`,
    title: 'Resource Missing',
    status: 404,
    detail:
      'The resource at the url requested was not found.  This usually occurs for one of two reasons:  The url requested is not valid, or no data in our database could be found with the parameters provided.',
  });

export const malformed = (envelope: string) =>
  new Problem(400, {
    type: `${ERR}/transaction_malformed`,
    title: 'Transaction Malformed',
    status: 400,
    detail:
      'Horizon could not decode the transaction envelope in this request. A transaction should be an XDR TransactionEnvelope struct encoded using base64.  The envelope read from this request is echoed in the `extras.envelope_xdr` field of this response for your convenience.',
    extras: { envelope_xdr: envelope },
  });

export const badRequest = (field: string, reason: string) =>
  new Problem(400, {
    type: `${ERR}/bad_request`,
    title: 'Bad Request',
    status: 400,
    detail: 'The request you sent was invalid in some way.',
    extras: { invalid_field: field, reason },
  });

export function problemJson(c: Context, p: Problem) {
  return c.body(JSON.stringify(p.body), p.status, {
    'Content-Type': 'application/problem+json; charset=utf-8',
  });
}
