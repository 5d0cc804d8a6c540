import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { recordedHistories } from './history-file.js';

/**
 * Determinism of the shipped workflows: every history recorded from an earlier version of the workflow code
 * (test/workflow/histories, see history-recorder.ts) must replay on the production bundle as it is now. A change
 * to a workflow's command sequence fails here unless it is guarded by `patched()`. Runs on the production bundle
 * only: a probe workflow or any other test-only code cannot make an old history replay.
 */
describe('replay: recorded histories on the production workflow bundle', () => {
  const histories = recordedHistories();

  it('has histories of every shipped workflow type to replay', () => {
    const types = new Set(histories.map((h) => h.workflowType));
    expect([...types].sort()).toEqual([
      'bankPollerWorkflow',
      'depositWorkflow',
      'healthPingWorkflow',
      'observerWorkflow',
      'topUpWorkflow',
      'transactionCallbackWorkflow',
      'withdrawalWorkflow',
    ]);
  });

  it('replays every recorded history without a nondeterminism error', async () => {
    const fileOf = new Map(histories.map((h) => [h.workflowId, h.file]));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('productionWorkflowBundlePath') } },
      histories.map(({ workflowId, history }) => ({ workflowId, history })),
    )) {
      replayed += 1;
      if (result.error) failures.push(`${fileOf.get(result.workflowId)}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(histories.length);
  }, 180_000);
});
