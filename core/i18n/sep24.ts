import { extendCatalog } from './index.js';
import { SEP24_PT_BR } from './sep24.pt-BR.js';

/** The English texts: their keys are the catalog's keys (the type checker holds every caller to them). */
const EN = {
  'sep24.msg.expired_incomplete': 'The deposit was not completed in time.',
  'sep24.msg.expired_kyc': 'Identity verification was not completed in time.',
  'sep24.msg.expired_no_transfer': 'No bank transfer arrived in time.',
  'sep24.msg.kyc_waiting': 'Waiting for identity verification.',
  'sep24.msg.kyc_rejected': 'Identity verification was not approved.',
  'sep24.msg.amount_out_of_limits': 'The amount {amount} is outside the accepted limits.',
  'sep24.msg.transfer_differs':
    'The transfer of {received} differs from the announced {announced}; it is refunded.',
  'sep24.msg.transfer_out_of_limits':
    'The transfer of {received} is outside the accepted limits; it is refunded.',
  'sep24.msg.quote_expired':
    'The transfer of {received} arrived after the quote expired at {expires}; it is refunded.',
  'sep24.msg.conversion_refused': 'The transfer of {received} cannot be converted: {reason}; it is refunded.',
  'sep24.msg.requote_offer':
    'The quote expired before your transfer of {received} arrived. A new quote converts it to {out}: accept it before {expires}, or decline to have the transfer sent back.',
  'sep24.msg.requote_declined': 'You declined the new quote; the transfer of {received} is refunded.',
  'sep24.msg.requote_expired':
    'The new quote was not accepted before {expires}; the transfer of {received} is refunded.',
  'sep24.msg.add_trustline': 'Add a trust line to {asset} to receive the deposit.',
  'sep24.msg.trust_timeout_refund': 'The trust line was not added in time; the transfer is refunded.',
  'sep24.msg.operator_refund': 'We refunded your transfer. Contact support if you have any questions.',
  'sep24.msg.trust_timeout': 'The trust line was not added in time. Our team will contact you.',
  'sep24.msg.awaiting_liquidity': 'Your deposit is being prepared; it will be sent shortly.',
  'sep24.msg.payout_failed': 'The payment could not be sent. Our team has been alerted and will contact you.',
  'sep24.msg.refund_failed': 'The refund could not be sent. Our team has been alerted and will contact you.',
  'sep24.deposit.title': 'Deposit {asset}',
  'sep24.deposit.amount_label': 'Amount to deposit ({currency})',
  'sep24.deposit.amount_hint': 'Between {min} and {max}.',
  'sep24.deposit.fee_schedule': 'Fee: {fixed} + {percent} of the amount (at least {minimum}).',
  'sep24.deposit.amount_invalid': 'Enter an amount such as {example}, with at most 7 decimals.',
  'sep24.deposit.amount_range': 'The amount must be between {min} and {max}.',
  'sep24.deposit.kyc_intro': 'Before your first deposit of this size we need to verify your identity.',
  'sep24.deposit.kyc_rejected': 'We could not verify your identity, so this deposit cannot continue.',
  'sep24.deposit.instructions_title': 'Send the bank transfer',
  'sep24.deposit.instructions_intro':
    'Send exactly this transfer from your bank account. Use the reference so we can match it to you.',
  'sep24.deposit.bank_account': 'Our bank account',
  'sep24.deposit.reference': 'Reference',
  'sep24.deposit.you_send': 'You send',
  'sep24.deposit.fee': 'Fee',
  'sep24.deposit.you_receive': 'You receive',
  'sep24.deposit.quote_title': 'Your quoted deposit',
  'sep24.deposit.quote_intro':
    'This deposit converts at the price you were quoted. It holds for a transfer of exactly this amount that arrives before {expires}; a later transfer is sent back.',
  'sep24.deposit.to_account': 'Credited to Stellar account',
  'sep24.deposit.expires': 'Send it before',
  'sep24.deposit.sandbox_bank': 'Sandbox: open the test bank to send this transfer',
  'sep24.deposit.waiting': 'Preparing your transfer details…',
  'sep24.deposit.kyc_processing':
    'We are checking your details. This page shows the transfer instructions as soon as we are done; you can also close it and follow the deposit in your wallet.',
  'sep24.deposit.close_hint': 'You can come back to these instructions from your wallet at any time.',
  'sep24.link_invalid':
    'This link has expired or was already used. Start the deposit again from your wallet.',
  'sep24.session_invalid': 'Your session has expired. Start again from your wallet.',
  'sep24.not_editable': 'This transaction can no longer be changed.',
  'sep24.support': 'Questions? Write to {email}.',
  'sep24.more_info.title': 'Transaction {id}',
  'sep24.more_info.not_found': 'We could not find this transaction.',
  'sep24.more_info.requote_accept': 'Accept the new quote',
  'sep24.more_info.requote_decline': 'Decline and get a refund',
  'sep24.field.status': 'Status',
  'sep24.field.kind': 'Type',
  'sep24.field.amount_in': 'Amount sent',
  'sep24.field.amount_fee': 'Fee',
  'sep24.field.amount_out': 'Amount received',
  'sep24.field.started_at': 'Started',
  'sep24.field.updated_at': 'Last update',
  'sep24.field.completed_at': 'Completed',
  'sep24.field.stellar_transaction_id': 'Stellar transaction',
  'sep24.field.message': 'Details',
  'sep24.kind.deposit': 'Deposit',
  'sep24.kind.withdrawal': 'Withdrawal',
  'sep24.status.incomplete': 'Waiting for your details',
  'sep24.status.pending_user_transfer_start': 'Waiting for your bank transfer',
  'sep24.status.pending_user_transfer_complete': 'Ready for pickup',
  'sep24.status.pending_external': 'Being processed by the bank',
  'sep24.status.pending_anchor': 'Being processed',
  'sep24.status.on_hold': 'On hold for checks',
  'sep24.status.pending_stellar': 'Being sent on Stellar',
  'sep24.status.pending_trust': 'Waiting for you to add a trust line',
  'sep24.status.pending_user': 'Waiting for you',
  'sep24.status.completed': 'Completed',
  'sep24.status.refunded': 'Refunded',
  'sep24.status.expired': 'Expired',
  'sep24.status.no_market': 'No market available',
  'sep24.status.too_small': 'Amount too small',
  'sep24.status.too_large': 'Amount too large',
  'sep24.status.error': 'Failed',
} as const;

/** A key of the SEP-24 catalog. */
export type Sep24Key = keyof typeof EN;
/** A transaction `message` key: `sep24.msg.<key>` without its prefix (activities/records.ts LocalizedMessage). */
export type Sep24MessageKey = { [K in Sep24Key]: K extends `sep24.msg.${infer M}` ? M : never }[Sep24Key];

/** Texts of the SEP-24 hosted pages and the more_info page (en, es, pt-BR; X-11). */
export const sep24Text = extendCatalog({
  en: EN,
  'pt-BR': SEP24_PT_BR,
  es: {
    'sep24.msg.expired_incomplete': 'El depósito no se completó a tiempo.',
    'sep24.msg.expired_kyc': 'La verificación de identidad no se completó a tiempo.',
    'sep24.msg.expired_no_transfer': 'No recibimos la transferencia bancaria a tiempo.',
    'sep24.msg.kyc_waiting': 'Esperando la verificación de identidad.',
    'sep24.msg.kyc_rejected': 'La verificación de identidad no fue aprobada.',
    'sep24.msg.amount_out_of_limits': 'El importe {amount} está fuera de los límites aceptados.',
    'sep24.msg.transfer_differs':
      'La transferencia de {received} no coincide con el importe anunciado de {announced}; se devuelve.',
    'sep24.msg.transfer_out_of_limits':
      'La transferencia de {received} está fuera de los límites aceptados; se devuelve.',
    'sep24.msg.quote_expired':
      'La transferencia de {received} llegó después de que la cotización venciera ({expires}); se devuelve.',
    'sep24.msg.conversion_refused':
      'La transferencia de {received} no se puede convertir: {reason}; se devuelve.',
    'sep24.msg.requote_offer':
      'La cotización venció antes de que llegara tu transferencia de {received}. Una nueva cotización la convierte en {out}: acéptala antes de {expires}, o recházala y la transferencia se devuelve.',
    'sep24.msg.requote_declined':
      'Rechazaste la nueva cotización; la transferencia de {received} se devuelve.',
    'sep24.msg.requote_expired':
      'La nueva cotización no se aceptó antes de {expires}; la transferencia de {received} se devuelve.',
    'sep24.msg.add_trustline': 'Añade una línea de confianza a {asset} para recibir el depósito.',
    'sep24.msg.operator_refund': 'Te hemos devuelto la transferencia. Escribe a soporte si tienes dudas.',
    'sep24.msg.trust_timeout_refund':
      'La línea de confianza no se añadió a tiempo; se devuelve la transferencia.',
    'sep24.msg.trust_timeout':
      'La línea de confianza no se añadió a tiempo. Nuestro equipo se pondrá en contacto contigo.',
    'sep24.msg.awaiting_liquidity': 'Estamos preparando tu depósito; lo enviaremos en breve.',
    'sep24.msg.payout_failed':
      'No se pudo enviar el pago. Nuestro equipo ha sido avisado y se pondrá en contacto contigo.',
    'sep24.msg.refund_failed':
      'No se pudo enviar la devolución. Nuestro equipo ha sido avisado y se pondrá en contacto contigo.',
    'sep24.deposit.title': 'Depositar {asset}',
    'sep24.deposit.amount_label': 'Importe a depositar ({currency})',
    'sep24.deposit.amount_hint': 'Entre {min} y {max}.',
    'sep24.deposit.fee_schedule': 'Comisión: {fixed} + {percent} del importe (mínimo {minimum}).',
    'sep24.deposit.amount_invalid': 'Introduce un importe como {example}, con 7 decimales como máximo.',
    'sep24.deposit.amount_range': 'El importe debe estar entre {min} y {max}.',
    'sep24.deposit.kyc_intro':
      'Antes de tu primer depósito de este importe necesitamos verificar tu identidad.',
    'sep24.deposit.kyc_rejected':
      'No hemos podido verificar tu identidad, así que este depósito no puede continuar.',
    'sep24.deposit.instructions_title': 'Haz la transferencia bancaria',
    'sep24.deposit.instructions_intro':
      'Envía exactamente esta transferencia desde tu cuenta bancaria. Usa la referencia para que podamos identificarla.',
    'sep24.deposit.bank_account': 'Nuestra cuenta bancaria',
    'sep24.deposit.reference': 'Referencia',
    'sep24.deposit.you_send': 'Envías',
    'sep24.deposit.fee': 'Comisión',
    'sep24.deposit.you_receive': 'Recibes',
    'sep24.deposit.quote_title': 'Tu depósito cotizado',
    'sep24.deposit.quote_intro':
      'Este depósito se convierte al precio cotizado. Vale para una transferencia de exactamente este importe que llegue antes de {expires}; una transferencia posterior se devuelve.',
    'sep24.deposit.to_account': 'Se abona en la cuenta Stellar',
    'sep24.deposit.expires': 'Envíala antes del',
    'sep24.deposit.sandbox_bank': 'Sandbox: abre el banco de pruebas para enviar esta transferencia',
    'sep24.deposit.waiting': 'Preparando los datos de tu transferencia…',
    'sep24.deposit.kyc_processing':
      'Estamos revisando tus datos. Esta página mostrará las instrucciones en cuanto terminemos; también puedes cerrarla y seguir el depósito en tu billetera.',
    'sep24.deposit.close_hint': 'Puedes volver a estas instrucciones desde tu billetera cuando quieras.',
    'sep24.link_invalid':
      'Este enlace ha caducado o ya se ha usado. Vuelve a iniciar el depósito desde tu billetera.',
    'sep24.session_invalid': 'Tu sesión ha caducado. Vuelve a empezar desde tu billetera.',
    'sep24.not_editable': 'Esta operación ya no se puede modificar.',
    'sep24.support': '¿Preguntas? Escríbenos a {email}.',
    'sep24.more_info.title': 'Operación {id}',
    'sep24.more_info.not_found': 'No hemos encontrado esta operación.',
    'sep24.more_info.requote_accept': 'Aceptar la nueva cotización',
    'sep24.more_info.requote_decline': 'Rechazar y recibir un reembolso',
    'sep24.field.status': 'Estado',
    'sep24.field.kind': 'Tipo',
    'sep24.field.amount_in': 'Importe enviado',
    'sep24.field.amount_fee': 'Comisión',
    'sep24.field.amount_out': 'Importe recibido',
    'sep24.field.started_at': 'Iniciada',
    'sep24.field.updated_at': 'Última actualización',
    'sep24.field.completed_at': 'Completada',
    'sep24.field.stellar_transaction_id': 'Transacción Stellar',
    'sep24.field.message': 'Detalles',
    'sep24.kind.deposit': 'Depósito',
    'sep24.kind.withdrawal': 'Retiro',
    'sep24.status.incomplete': 'Esperando tus datos',
    'sep24.status.pending_user_transfer_start': 'Esperando tu transferencia bancaria',
    'sep24.status.pending_user_transfer_complete': 'Listo para recoger',
    'sep24.status.pending_external': 'En proceso en el banco',
    'sep24.status.pending_anchor': 'En proceso',
    'sep24.status.on_hold': 'Retenida para revisión',
    'sep24.status.pending_stellar': 'Enviándose en Stellar',
    'sep24.status.pending_trust': 'Esperando que añadas una línea de confianza',
    'sep24.status.pending_user': 'Esperando una acción tuya',
    'sep24.status.completed': 'Completada',
    'sep24.status.refunded': 'Reembolsada',
    'sep24.status.expired': 'Caducada',
    'sep24.status.no_market': 'Sin mercado disponible',
    'sep24.status.too_small': 'Importe demasiado bajo',
    'sep24.status.too_large': 'Importe demasiado alto',
    'sep24.status.error': 'Fallida',
  } satisfies Record<Sep24Key, string>,
});
