import { type CompleteCatalog, extendCatalog, type Params } from './index.js';

/**
 * The `error` texts of the JSON APIs (SEP-24, and SEP-6 where it shares the SEP-24 checks), in the caller's
 * language: `lang`, else Accept-Language, else English. The English text is what the API always said,
 * so clients that match on it see no change. A handler throws `apiError(status, key, params)`; the one error
 * handler picks the language.
 */
const EN = {
  'api.asset_code_required': 'asset_code is required',
  'api.asset_not_supported': 'asset_code {asset} is not supported: see GET /info for the assets offered',
  'api.deposit_disabled': 'deposit of {asset} is not enabled',
  'api.withdraw_disabled': 'withdraw of {asset} is not enabled',
  'api.issuer_mismatch': 'asset_issuer does not match the issuer of {asset}',
  'api.amount_invalid': 'amount must be a positive decimal number with at most 7 decimal places',
  'api.amount_below_min': 'amount is below the minimum of {min}',
  'api.amount_above_max': 'amount is above the maximum of {max}',
  'api.account_invalid': 'account must be a valid Stellar account (G..., M... or C...)',
  'api.account_missing':
    'account does not exist on the Stellar network; this anchor does not create accounts, fund it first',
  'api.memo_with_muxed':
    'memo cannot be combined with a muxed (M...) account: the muxed id already names the user',
  'api.memo_invalid': '{detail}',
  'api.destination_asset':
    'destination_asset other than {fiat} needs a quote_id: get a firm quote with SEP-38 POST /quote (context sep24)',
  'api.refund_memo_pair': 'refund_memo and refund_memo_type must be given together',
  'api.refund_memo_type': 'refund_memo_type must be one of id, text, hash',
  'api.refund_memo_invalid': 'refund_{detail}',
  'api.transaction_not_found': 'transaction not found',
  'api.transfer_not_started': 'the {noun} could not be started; please retry',
  'api.invalid_fields': '{detail}',
  'api.invalid_request': '{detail}',
  'api.unavailable':
    'the service is briefly unavailable; nothing was changed, try again in {seconds} seconds',
} as const;

export type ApiErrorKey = keyof typeof EN;

const ES: Record<ApiErrorKey, string> = {
  'api.asset_code_required': 'Falta asset_code',
  'api.asset_not_supported':
    'El activo {asset} no está disponible: consulta GET /info para ver los activos ofrecidos',
  'api.deposit_disabled': 'Los depósitos de {asset} no están habilitados',
  'api.withdraw_disabled': 'Los retiros de {asset} no están habilitados',
  'api.issuer_mismatch': 'asset_issuer no coincide con el emisor de {asset}',
  'api.amount_invalid': 'amount debe ser un número decimal positivo con 7 decimales como máximo',
  'api.amount_below_min': 'El importe es inferior al mínimo de {min}',
  'api.amount_above_max': 'El importe supera el máximo de {max}',
  'api.account_invalid': 'account debe ser una cuenta Stellar válida (G..., M... o C...)',
  'api.account_missing':
    'La cuenta no existe en la red Stellar; este ancla no crea cuentas, fondéala primero',
  'api.memo_with_muxed':
    'memo no se puede combinar con una cuenta muxed (M...): el id muxed ya identifica al usuario',
  'api.memo_invalid': 'Memo no válido: {detail}',
  'api.destination_asset':
    'un destination_asset distinto de {fiat} necesita un quote_id: pide una cotización firme con SEP-38 POST /quote (context sep24)',
  'api.refund_memo_pair': 'refund_memo y refund_memo_type deben enviarse juntos',
  'api.refund_memo_type': 'refund_memo_type debe ser id, text o hash',
  'api.refund_memo_invalid': 'refund_memo no válido: {detail}',
  'api.transaction_not_found': 'No se encontró la operación',
  'api.transfer_not_started': 'No se pudo iniciar la operación ({noun}); inténtalo de nuevo',
  'api.invalid_fields': 'Revisa estos campos: {detail}',
  'api.invalid_request': 'Solicitud no válida: {detail}',
  'api.unavailable':
    'El servicio no está disponible en este momento; no se ha cambiado nada, inténtalo de nuevo en {seconds} segundos',
};

const PT_BR: Record<ApiErrorKey, string> = {
  'api.asset_code_required': 'asset_code é obrigatório',
  'api.asset_not_supported': 'O ativo {asset} não é oferecido: veja GET /info para os ativos disponíveis',
  'api.deposit_disabled': 'Depósitos de {asset} não estão habilitados',
  'api.withdraw_disabled': 'Saques de {asset} não estão habilitados',
  'api.issuer_mismatch': 'asset_issuer não corresponde ao emissor de {asset}',
  'api.amount_invalid': 'amount deve ser um número decimal positivo com no máximo 7 casas decimais',
  'api.amount_below_min': 'O valor está abaixo do mínimo de {min}',
  'api.amount_above_max': 'O valor está acima do máximo de {max}',
  'api.account_invalid': 'account deve ser uma conta Stellar válida (G..., M... ou C...)',
  'api.account_missing':
    'A conta não existe na rede Stellar; esta âncora não cria contas, financie-a primeiro',
  'api.memo_with_muxed':
    'memo não pode ser combinado com uma conta muxed (M...): o id muxed já identifica o usuário',
  'api.memo_invalid': 'Memo inválido: {detail}',
  'api.destination_asset':
    'um destination_asset diferente de {fiat} precisa de um quote_id: peça uma cotação firme com SEP-38 POST /quote (context sep24)',
  'api.refund_memo_pair': 'refund_memo e refund_memo_type devem ser enviados juntos',
  'api.refund_memo_type': 'refund_memo_type deve ser id, text ou hash',
  'api.refund_memo_invalid': 'refund_memo inválido: {detail}',
  'api.transaction_not_found': 'Transação não encontrada',
  'api.transfer_not_started': 'Não foi possível iniciar a transação ({noun}); tente de novo',
  'api.invalid_fields': 'Confira estes campos: {detail}',
  'api.invalid_request': 'Requisição inválida: {detail}',
  'api.unavailable':
    'O serviço está indisponível no momento; nada foi alterado, tente de novo em {seconds} segundos',
};

const CATALOG: CompleteCatalog<ApiErrorKey> = { en: EN, es: ES, 'pt-BR': PT_BR };

export const apiErrorText = extendCatalog(CATALOG, 'api-errors');

/** A localizable API error: its catalog key and the values its text names. */
export interface LocalizedError {
  key: ApiErrorKey;
  params?: Params;
}

/** The English text of a key (what the error carries as its `message`, for logs and old clients). */
export function apiErrorEnglish(e: LocalizedError): string {
  return apiErrorText('en').t(e.key, e.params);
}
