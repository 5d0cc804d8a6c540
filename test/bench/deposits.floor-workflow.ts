// The floor for test/bench/deposits.bench.ts: a workflow with a happy-path SEP-24 deposit's shape
// (workflows/deposit.ts as of #16), every activity a no-op. Fixed here, not counted from a run: a change that
// merges or drops the deposit's activities makes the deposit faster, not the floor. Bundled on its own; nothing
// else imports it.
//   activities (10): mirror(incomplete), getKycStatus, assignBankReference, mirror(pending_user_transfer_start),
//     mirror(pending_anchor), accountExists, hasTrustline, mirror(pending_stellar), sendPayment, mirror(completed)
//   signals (2): interactive completed, bank transfer received; each awaited by condition() with a timeout (timer)
//   search-attribute upserts (4): TransactionStatus on every status change; memo upserts (2): the amounts
import {
  condition,
  defineSignal,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { TransactionStatus } from '../../workflows/search-attributes.js';

export const floorInteractiveSignal = defineSignal<[{ amount: string }]>('floorInteractiveCompleted');
export const floorTransferSignal = defineSignal<[{ bankTransferId: string }]>('floorBankTransferReceived');

const { benchNoop } = proxyActivities<{ benchNoop(step: string): Promise<void> }>({
  startToCloseTimeout: '30 seconds',
});

export const FLOOR_ACTIVITIES = 10;

export async function depositFloorWorkflow(): Promise<string> {
  let interactive: { amount: string } | undefined;
  let transfer: { bankTransferId: string } | undefined;
  setHandler(floorInteractiveSignal, (info) => {
    interactive ??= info;
  });
  setHandler(floorTransferSignal, (t) => {
    transfer ??= t;
  });
  const status = async (next: string, memo: boolean) => {
    await benchNoop(`mirror ${next}`);
    upsertSearchAttributes([{ key: TransactionStatus, value: next }]);
    if (memo) upsertMemo({ amountIn: interactive?.amount ?? null });
  };
  await benchNoop('mirror incomplete');
  if (!(await condition(() => interactive !== undefined, '1 hour'))) return 'expired';
  await benchNoop('getKycStatus');
  await benchNoop('assignBankReference');
  await status('pending_user_transfer_start', true);
  if (!(await condition(() => transfer !== undefined, '1 hour'))) return 'expired';
  await status('pending_anchor', true);
  await benchNoop('accountExists');
  await benchNoop('hasTrustline');
  await status('pending_stellar', false);
  await benchNoop('sendPayment');
  await status('completed', false);
  return 'completed';
}
