/** One failure kind per code (STYLE 17): the HTTP edge maps every QuoteError to 400 `{"error"}` (S38-01). */
export type QuoteErrorCode =
  | 'invalid_asset'
  | 'unsupported_pair'
  | 'invalid_amount'
  | 'amount_too_small'
  | 'invalid_delivery_method'
  | 'invalid_context'
  | 'invalid_expiry'
  | 'no_rate';

export class QuoteError extends Error {
  constructor(
    readonly code: QuoteErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'QuoteError';
  }
}
