import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { expect } from 'vitest';
import { HISTORIES_DIR, historyToFile } from './history-file.js';

/**
 * Records the histories the workflow tests produce, for the replay test (test/workflow/replay.test.ts): with
 * RECORD_HISTORIES=1, every tracked run's history is written to test/workflow/histories/<file>--<test>.json.
 * Without it, tracking does nothing. Record only from shipped workflow code that is about to change, so the
 * replay test keeps proving that runs started before the change still replay after it.
 */
type Recordable = Pick<WorkflowHandle, 'workflowId' | 'fetchHistory'>;

export interface HistoryRecorder {
  /** Remembers `handle` under the current test's name (call it while the test runs). */
  track(handle: Recordable): void;
  /** Writes (and forgets) every tracked history; call it before the client that tracked them closes. */
  save(): Promise<void>;
}

export function historyRecorder(file: string): HistoryRecorder {
  const enabled = process.env.RECORD_HISTORIES === '1';
  const tracked: { name: string; handle: Recordable }[] = [];
  const used = new Map<string, number>();
  return {
    track(handle) {
      if (!enabled) return;
      const test = slug(expect.getState().currentTestName ?? 'outside-a-test');
      const n = (used.get(test) ?? 0) + 1;
      used.set(test, n);
      tracked.push({ name: `${file}--${test}${n > 1 ? `-${n}` : ''}`, handle });
    },
    async save() {
      if (!enabled) return;
      mkdirSync(HISTORIES_DIR, { recursive: true });
      for (const { name, handle } of tracked.splice(0)) {
        const history = await handle.fetchHistory();
        writeFileSync(join(HISTORIES_DIR, `${name}.json`), historyToFile(history));
      }
    },
  };
}

function slug(testName: string): string {
  const test = testName.split(' > ').slice(1).join(' ') || testName;
  return test
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)
    .replace(/-$/, '');
}
