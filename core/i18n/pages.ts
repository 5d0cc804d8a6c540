import { type CompleteCatalog, extendCatalog } from './index.js';

/**
 * Texts of the page shell and of the state pages every hosted flow shares (deposit, withdrawal, more_info):
 * what a user sees when a transaction waits, needs corrections, is rejected, finished, refunded or expired.
 */
const EN = {
  'page.transaction_id': 'Transaction number',
  'page.updates_itself': 'This page updates by itself when anything changes.',
  'page.close_hint': 'You can close this window; your wallet shows every update.',
  'page.details': 'All details of this transaction',
  'page.kind.deposit': 'deposit',
  'page.kind.withdrawal': 'withdrawal',
  'amount.ambiguous':
    '“{typed}” could mean {first} or {second}. Type the amount as {first} or {second} so there is no doubt.',
  'amount.invalid': 'Enter an amount such as {example}, with at most 7 decimals.',
  'state.needs_info.title': 'Please correct your details',
  'state.needs_info.intro':
    'Our verification provider could not accept some of your details. Correct the fields marked below and send them again: your {kind} continues as soon as they are accepted.',
  'state.reason': 'Reason: {reason}',
  'state.rejected.title': 'We could not verify your identity',
  'state.rejected.body': 'This {kind} cannot continue. No money has moved.',
  'state.rejected.next':
    'What you can do: write to {email} and mention the transaction number {id}. We will tell you what we need to review your case.',
  'state.waiting.title': 'Your {kind} is being processed',
  'state.eta': 'Expected to take about {minutes} more minutes.',
  'state.trust.asset': 'Asset',
  'state.trust.issuer': 'Issuer account',
  'state.trust.deadline': 'Add it before',
  'state.trust.how':
    'In your wallet, add the asset {code} issued by {issuer}. The deposit is sent as soon as the trust line is there.',
  'state.completed.title.deposit': 'Deposit completed',
  'state.completed.title.withdrawal': 'Withdrawal completed',
  'state.completed.body.deposit': '{amount} arrived in your Stellar account.',
  'state.completed.body.withdrawal':
    '{amount} was paid to your bank account. This withdrawal is finished: do not start it again.',
  'state.refunded.title': 'Refunded',
  'state.refunded.body': 'We returned {amount} to you.',
  'state.expired.title': 'This {kind} expired',
  'state.expired.body':
    'It was not finished in time, so nothing was charged. If you still want to, start a new one from your wallet.',
  'state.error.title': 'This {kind} could not be completed',
  'state.error.body': 'Our team has been told. If you have questions, write to {email} with the number {id}.',
  'state.session_ended':
    'This page no longer accepts changes. Here is where your {kind} stands; your wallet shows the same.',
} as const;

export type PageKey = keyof typeof EN;

const ES: Record<PageKey, string> = {
  'page.transaction_id': 'Número de operación',
  'page.updates_itself': 'Esta página se actualiza sola cuando algo cambia.',
  'page.close_hint': 'Puedes cerrar esta ventana; tu billetera muestra cada novedad.',
  'page.details': 'Todos los detalles de esta operación',
  'page.kind.deposit': 'depósito',
  'page.kind.withdrawal': 'retiro',
  'amount.ambiguous':
    '«{typed}» puede significar {first} o {second}. Escribe el importe como {first} o {second} para que no haya dudas.',
  'amount.invalid': 'Introduce un importe como {example}, con 7 decimales como máximo.',
  'state.needs_info.title': 'Corrige tus datos',
  'state.needs_info.intro':
    'Nuestro proveedor de verificación no pudo aceptar algunos de tus datos. Corrige los campos marcados y envíalos de nuevo: tu {kind} continúa en cuanto se acepten.',
  'state.reason': 'Motivo: {reason}',
  'state.rejected.title': 'No hemos podido verificar tu identidad',
  'state.rejected.body': 'Este {kind} no puede continuar. No se ha movido dinero.',
  'state.rejected.next':
    'Qué puedes hacer: escribe a {email} indicando el número de operación {id}. Te diremos qué necesitamos para revisar tu caso.',
  'state.waiting.title': 'Tu {kind} está en proceso',
  'state.eta': 'Tardará unos {minutes} minutos más.',
  'state.trust.asset': 'Activo',
  'state.trust.issuer': 'Cuenta emisora',
  'state.trust.deadline': 'Añádela antes del',
  'state.trust.how':
    'En tu billetera, añade el activo {code} emitido por {issuer}. El depósito se envía en cuanto exista la línea de confianza.',
  'state.completed.title.deposit': 'Depósito completado',
  'state.completed.title.withdrawal': 'Retiro completado',
  'state.completed.body.deposit': '{amount} llegaron a tu cuenta Stellar.',
  'state.completed.body.withdrawal':
    'Hemos pagado {amount} en tu cuenta bancaria. Este retiro ha terminado: no lo inicies de nuevo.',
  'state.refunded.title': 'Reembolsada',
  'state.refunded.body': 'Te hemos devuelto {amount}.',
  'state.expired.title': 'Este {kind} ha caducado',
  'state.expired.body':
    'No se terminó a tiempo, así que no se ha cobrado nada. Si aún quieres hacerlo, inicia uno nuevo desde tu billetera.',
  'state.error.title': 'Este {kind} no se ha podido completar',
  'state.error.body': 'Nuestro equipo ya lo sabe. Si tienes dudas, escribe a {email} con el número {id}.',
  'state.session_ended':
    'Esta página ya no admite cambios. Así está tu {kind}; tu billetera muestra lo mismo.',
};

const PT_BR: Record<PageKey, string> = {
  'page.transaction_id': 'Número da transação',
  'page.updates_itself': 'Esta página se atualiza sozinha quando algo muda.',
  'page.close_hint': 'Você pode fechar esta janela; sua carteira mostra cada atualização.',
  'page.details': 'Todos os detalhes desta transação',
  'page.kind.deposit': 'depósito',
  'page.kind.withdrawal': 'saque',
  'amount.ambiguous':
    '“{typed}” pode significar {first} ou {second}. Digite o valor como {first} ou {second} para não haver dúvida.',
  'amount.invalid': 'Informe um valor como {example}, com no máximo 7 casas decimais.',
  'state.needs_info.title': 'Corrija seus dados',
  'state.needs_info.intro':
    'Nosso provedor de verificação não pôde aceitar alguns dos seus dados. Corrija os campos marcados e envie de novo: seu {kind} continua assim que forem aceitos.',
  'state.reason': 'Motivo: {reason}',
  'state.rejected.title': 'Não conseguimos verificar sua identidade',
  'state.rejected.body': 'Este {kind} não pode continuar. Nenhum dinheiro foi movimentado.',
  'state.rejected.next':
    'O que você pode fazer: escreva para {email} informando o número da transação {id}. Diremos o que precisamos para analisar seu caso.',
  'state.waiting.title': 'Seu {kind} está em processamento',
  'state.eta': 'Deve levar cerca de {minutes} minutos a mais.',
  'state.trust.asset': 'Ativo',
  'state.trust.issuer': 'Conta emissora',
  'state.trust.deadline': 'Adicione antes de',
  'state.trust.how':
    'Na sua carteira, adicione o ativo {code} emitido por {issuer}. O depósito é enviado assim que a trust line existir.',
  'state.completed.title.deposit': 'Depósito concluído',
  'state.completed.title.withdrawal': 'Saque concluído',
  'state.completed.body.deposit': '{amount} chegaram à sua conta Stellar.',
  'state.completed.body.withdrawal':
    'Pagamos {amount} na sua conta bancária. Este saque terminou: não o inicie de novo.',
  'state.refunded.title': 'Devolvida',
  'state.refunded.body': 'Devolvemos {amount} para você.',
  'state.expired.title': 'Este {kind} expirou',
  'state.expired.body':
    'Ele não foi concluído a tempo, então nada foi cobrado. Se ainda quiser, comece um novo pela sua carteira.',
  'state.error.title': 'Este {kind} não pôde ser concluído',
  'state.error.body':
    'Nossa equipe já foi avisada. Se tiver dúvidas, escreva para {email} com o número {id}.',
  'state.session_ended':
    'Esta página não aceita mais alterações. Veja como está seu {kind}; sua carteira mostra o mesmo.',
};

const CATALOG: CompleteCatalog<PageKey> = { en: EN, es: ES, 'pt-BR': PT_BR };

export const pageText = extendCatalog(CATALOG, 'pages');
