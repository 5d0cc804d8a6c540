/** Queries of the test probes (never sent by production code). */
import { defineQuery } from '@temporalio/workflow';
import type { BankTransferReceived, ReceivedPayment } from '../../../workflows/messages.js';

/** bankSignalProbeWorkflow: every bank transfer signal received, duplicates included. */
export const bankSignalsSeenQuery = defineQuery<BankTransferReceived[]>('bankSignalsSeen');
/** paymentSignalProbeWorkflow: every payment signal a `withdraw-<id>` stand-in received. */
export const paymentSignalsQuery = defineQuery<ReceivedPayment[]>('paymentSignals');
