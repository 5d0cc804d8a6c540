import type { Sep24Key } from './sep24.js';

/** The SEP-24 texts in Brazilian Portuguese: every English key, checked by the type checker. */
export const SEP24_PT_BR: Record<Sep24Key, string> = {
  'sep24.msg.expired_incomplete': 'O depósito não foi concluído a tempo.',
  'sep24.msg.expired_kyc': 'A verificação de identidade não foi concluída a tempo.',
  'sep24.msg.expired_no_transfer': 'Nenhuma transferência bancária chegou a tempo.',
  'sep24.msg.kyc_waiting': 'Aguardando a verificação de identidade.',
  'sep24.msg.kyc_rejected': 'A verificação de identidade não foi aprovada.',
  'sep24.msg.amount_out_of_limits': 'O valor {amount} está fora dos limites aceitos.',
  'sep24.msg.transfer_differs':
    'A transferência de {received} é diferente do valor anunciado de {announced}; ela será devolvida.',
  'sep24.msg.transfer_out_of_limits':
    'A transferência de {received} está fora dos limites aceitos; ela será devolvida.',
  'sep24.msg.quote_expired':
    'A transferência de {received} chegou depois que a cotação expirou ({expires}); ela será devolvida.',
  'sep24.msg.conversion_refused':
    'A transferência de {received} não pode ser convertida: {reason}; ela será devolvida.',
  'sep24.msg.requote_offer':
    'A cotação expirou antes de sua transferência de {received} chegar. Uma nova cotação a converte em {out}: aceite-a antes de {expires}, ou recuse para que a transferência seja devolvida.',
  'sep24.msg.requote_declined': 'Você recusou a nova cotação; a transferência de {received} será devolvida.',
  'sep24.msg.requote_expired':
    'A nova cotação não foi aceita antes de {expires}; a transferência de {received} será devolvida.',
  'sep24.msg.add_trustline': 'Adicione uma trust line para {asset} para receber o depósito.',
  'sep24.msg.trust_timeout_refund':
    'A trust line não foi adicionada a tempo; a transferência será devolvida.',
  'sep24.msg.operator_refund': 'Devolvemos sua transferência. Fale com o suporte se tiver dúvidas.',
  'sep24.msg.trust_timeout': 'A trust line não foi adicionada a tempo. Nossa equipe entrará em contato.',
  'sep24.msg.awaiting_liquidity': 'Estamos preparando seu depósito; ele será enviado em breve.',
  'sep24.msg.payout_failed':
    'Não foi possível enviar o pagamento. Nossa equipe foi avisada e entrará em contato.',
  'sep24.msg.refund_failed':
    'Não foi possível enviar a devolução. Nossa equipe foi avisada e entrará em contato.',
  'sep24.deposit.title': 'Depositar {asset}',
  'sep24.deposit.amount_label': 'Valor a depositar ({currency})',
  'sep24.deposit.amount_hint': 'Entre {min} e {max}.',
  'sep24.deposit.fee_schedule': 'Tarifa: {fixed} + {percent} do valor (no mínimo {minimum}).',
  'sep24.deposit.amount_invalid': 'Informe um valor como {example}, com no máximo 7 casas decimais.',
  'sep24.deposit.amount_range': 'O valor precisa estar entre {min} e {max}.',
  'sep24.deposit.kyc_intro':
    'Antes do seu primeiro depósito deste valor precisamos verificar sua identidade.',
  'sep24.deposit.kyc_rejected':
    'Não conseguimos verificar sua identidade, por isso este depósito não pode continuar.',
  'sep24.deposit.instructions_title': 'Faça a transferência bancária',
  'sep24.deposit.instructions_intro':
    'Envie exatamente esta transferência da sua conta bancária. Use a referência para que possamos identificá-la.',
  'sep24.deposit.bank_account': 'Nossa conta bancária',
  'sep24.deposit.reference': 'Referência',
  'sep24.deposit.you_send': 'Você envia',
  'sep24.deposit.fee': 'Tarifa',
  'sep24.deposit.you_receive': 'Você recebe',
  'sep24.deposit.quote_title': 'Seu depósito cotado',
  'sep24.deposit.quote_intro':
    'Este depósito é convertido pelo preço cotado. Ele vale para uma transferência exatamente deste valor que chegue antes de {expires}; uma transferência posterior é devolvida.',
  'sep24.deposit.to_account': 'Creditado na conta Stellar',
  'sep24.deposit.expires': 'Envie até',
  'sep24.deposit.sandbox_bank': 'Sandbox: abra o banco de teste para enviar esta transferência',
  'sep24.deposit.waiting': 'Preparando os dados da sua transferência…',
  'sep24.deposit.kyc_processing':
    'Estamos conferindo seus dados. Esta página mostra as instruções da transferência assim que terminarmos; você também pode fechá-la e acompanhar o depósito na sua carteira.',
  'sep24.deposit.close_hint': 'Você pode voltar a estas instruções pela sua carteira a qualquer momento.',
  'sep24.link_invalid': 'Este link expirou ou já foi usado. Comece o depósito de novo pela sua carteira.',
  'sep24.session_invalid': 'Sua sessão expirou. Comece de novo pela sua carteira.',
  'sep24.not_editable': 'Esta transação não pode mais ser alterada.',
  'sep24.support': 'Dúvidas? Escreva para {email}.',
  'sep24.more_info.title': 'Transação {id}',
  'sep24.more_info.not_found': 'Não encontramos esta transação.',
  'sep24.more_info.requote_accept': 'Aceitar a nova cotação',
  'sep24.more_info.requote_decline': 'Recusar e receber um reembolso',
  'sep24.field.status': 'Situação',
  'sep24.field.kind': 'Tipo',
  'sep24.field.amount_in': 'Valor enviado',
  'sep24.field.amount_fee': 'Tarifa',
  'sep24.field.amount_out': 'Valor recebido',
  'sep24.field.started_at': 'Iniciada',
  'sep24.field.updated_at': 'Última atualização',
  'sep24.field.completed_at': 'Concluída',
  'sep24.field.stellar_transaction_id': 'Transação Stellar',
  'sep24.field.message': 'Detalhes',
  'sep24.kind.deposit': 'Depósito',
  'sep24.kind.withdrawal': 'Saque',
  'sep24.status.incomplete': 'Aguardando seus dados',
  'sep24.status.pending_user_transfer_start': 'Aguardando sua transferência bancária',
  'sep24.status.pending_user_transfer_complete': 'Pronto para retirada',
  'sep24.status.pending_external': 'Em processamento no banco',
  'sep24.status.pending_anchor': 'Em processamento',
  'sep24.status.on_hold': 'Em análise',
  'sep24.status.pending_stellar': 'Sendo enviada na Stellar',
  'sep24.status.pending_trust': 'Aguardando você adicionar uma trust line',
  'sep24.status.pending_user': 'Aguardando você',
  'sep24.status.completed': 'Concluída',
  'sep24.status.refunded': 'Devolvida',
  'sep24.status.expired': 'Expirada',
  'sep24.status.no_market': 'Sem mercado disponível',
  'sep24.status.too_small': 'Valor muito baixo',
  'sep24.status.too_large': 'Valor muito alto',
  'sep24.status.error': 'Falhou',
};
