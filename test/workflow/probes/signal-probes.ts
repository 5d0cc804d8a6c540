import { condition, setHandler } from '@temporalio/workflow';
import {
  type BankTransferReceived,
  bankTransferReceivedSignal,
  paymentReceivedSignal,
  type ReceivedPayment,
} from '../../../workflows/messages.js';
import { bankSignalsSeenQuery, paymentSignalsQuery } from './messages.js';

/** Records every bank transfer signalled to it, duplicates included (tests run it as `deposit-<id>`). */
export async function bankSignalProbeWorkflow(): Promise<BankTransferReceived[]> {
  const seen: BankTransferReceived[] = [];
  setHandler(bankTransferReceivedSignal, (t) => {
    seen.push(t);
  });
  setHandler(bankSignalsSeenQuery, () => seen);
  await condition(() => false, '1 hour');
  return seen;
}

/**
 * A stand-in for a withdrawal workflow (`withdraw-<id>`) that collects paymentReceived signals. Keeps every
 * delivery, duplicates included.
 */
export async function paymentSignalProbeWorkflow(): Promise<ReceivedPayment[]> {
  const received: ReceivedPayment[] = [];
  setHandler(paymentReceivedSignal, (p) => {
    received.push(p);
  });
  setHandler(paymentSignalsQuery, () => received);
  // Runs until terminated: a real withdrawal would move on after the first payment.
  await condition(() => false);
  return received;
}
