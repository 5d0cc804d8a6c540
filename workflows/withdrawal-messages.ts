/**
 * The user-facing `message` of a withdrawal in the transaction's language (X-11: en, es; anything else → en).
 * Pure and deterministic, so the workflow writes it directly. Amounts stay decimal strings; Spanish shows a
 * decimal comma. Operator alerts are not here: they stay in English.
 */
type Params = Record<string, string>;

const EN = {
  form_expired: 'The withdrawal form was not completed in time.',
  too_small: 'The minimum withdrawal is {min}.',
  too_large: 'The maximum withdrawal is {max}.',
  limit: 'The {period} withdrawal limit allows at most {remaining} more.',
  kyc_waiting: 'Waiting for identity verification.',
  kyc_expired: 'Identity verification was not completed in time.',
  kyc_rejected: 'Identity verification was not approved.',
  payment_expired: 'No payment was received in time.',
  refund_stuck: '{reason} The refund could not be sent yet; our team has been alerted.',
  excess_stuck: 'The excess payment could not be refunded yet; our team has been alerted.',
  wrong_asset: 'The payment was in {paid}, not {asset}; it was refunded.',
  amount_mismatch: 'The payment of {received} did not match the requested {requested}; it was refunded.',
  amount_too_low: 'The payment of {received} was too far below the requested {requested}; it was refunded.',
  out_of_limits: 'The amount {amount} is outside the limits {min}–{max}; it was refunded.',
  limit_refunded: 'The {period} withdrawal limit was exceeded; the payment was refunded.',
  in_review: 'Your withdrawal is being reviewed.',
  not_approved: 'The withdrawal was not approved; the payment was refunded.',
  cancelled: 'The withdrawal was cancelled by our team; the payment was refunded.',
  bank_rejected: 'The bank could not pay out this withdrawal; the payment was refunded.',
  payout_delayed: 'The payout is delayed; our team has been alerted.',
  quote_expired: 'The payment arrived after the quote expired at {expires}; it was refunded.',
  conversion_refused: 'The payment of {received} cannot be converted: {reason}; it was refunded.',
  requote_offer:
    'The quote expired before your payment of {received} arrived. A new quote pays out {out}: accept it before {expires}, or decline to have the payment refunded.',
  requote_declined: 'You declined the new quote; the payment of {received} was refunded.',
  requote_expired: 'The new quote was not accepted before {expires}; the payment of {received} was refunded.',
  'period.daily': 'daily',
  'period.monthly': 'monthly',
} as const;

export type WithdrawalMessageKey = keyof typeof EN;

const ES: Record<WithdrawalMessageKey, string> = {
  form_expired: 'El formulario de retiro no se completó a tiempo.',
  too_small: 'El retiro mínimo es {min}.',
  too_large: 'El retiro máximo es {max}.',
  limit: 'El límite {period} de retiros permite como máximo {remaining} más.',
  kyc_waiting: 'Esperando la verificación de identidad.',
  kyc_expired: 'La verificación de identidad no se completó a tiempo.',
  kyc_rejected: 'La verificación de identidad no fue aprobada.',
  payment_expired: 'No se recibió el pago a tiempo.',
  refund_stuck: '{reason} El reembolso aún no se pudo enviar; nuestro equipo ha sido avisado.',
  excess_stuck: 'El exceso pagado aún no se pudo reembolsar; nuestro equipo ha sido avisado.',
  wrong_asset: 'El pago fue en {paid}, no en {asset}; se ha reembolsado.',
  amount_mismatch: 'El pago de {received} no coincide con los {requested} solicitados; se ha reembolsado.',
  amount_too_low:
    'El pago de {received} queda muy por debajo de los {requested} solicitados; se ha reembolsado.',
  out_of_limits: 'El importe {amount} está fuera de los límites {min}–{max}; se ha reembolsado.',
  limit_refunded: 'Se superó el límite {period} de retiros; el pago se ha reembolsado.',
  in_review: 'Tu retiro está en revisión.',
  not_approved: 'El retiro no fue aprobado; el pago se ha reembolsado.',
  cancelled: 'Nuestro equipo canceló el retiro; el pago se ha reembolsado.',
  bank_rejected: 'El banco no pudo pagar este retiro; el pago se ha reembolsado.',
  payout_delayed: 'El pago bancario se ha retrasado; nuestro equipo ha sido avisado.',
  quote_expired: 'El pago llegó después de que la cotización venciera ({expires}); se ha reembolsado.',
  conversion_refused: 'El pago de {received} no se puede convertir: {reason}; se ha reembolsado.',
  requote_offer:
    'La cotización venció antes de que llegara tu pago de {received}. Una nueva cotización paga {out}: acéptala antes de {expires}, o recházala y el pago se reembolsa.',
  requote_declined: 'Rechazaste la nueva cotización; el pago de {received} se ha reembolsado.',
  requote_expired:
    'La nueva cotización no se aceptó antes de {expires}; el pago de {received} se ha reembolsado.',
  'period.daily': 'diario',
  'period.monthly': 'mensual',
};

const AMOUNT = /^\d+(\.\d+)?$/;

export function withdrawalMessage(
  lang: string | null | undefined,
  key: WithdrawalMessageKey,
  params: Params = {},
): string {
  const es = (lang ?? '').toLowerCase().split(/[-_]/)[0] === 'es';
  const template: string = es ? ES[key] : EN[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    return es && AMOUNT.test(v) ? v.replace('.', ',') : v;
  });
}
