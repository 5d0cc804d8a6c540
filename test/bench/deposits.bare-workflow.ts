// The floor for test/bench/deposits.bench.ts: a workflow that runs as many activities, one after another, as a
// deposit does, each a no-op. Bundled on its own; nothing else imports it.
import { proxyActivities } from '@temporalio/workflow';

const { benchNoop } = proxyActivities<{ benchNoop(step: number): Promise<void> }>({
  startToCloseTimeout: '30 seconds',
});

export async function bareDepositWorkflow(activities: number): Promise<number> {
  for (let i = 0; i < activities; i++) await benchNoop(i);
  return activities;
}
