import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';

/**
 * The on-disk form of a recorded workflow history (test/workflow/histories/*.json): the protobufjs object form of
 * `temporal.api.history.v1.History` (enums by name, int64 and bytes as strings), written and read by the
 * @temporalio/proto classes the worker itself uses. Not `historyToJSON`/`historyFromJSON`: in this install
 * @temporalio/common carries its own copy of protobufjs, so its proto-JSON helpers reject the proto types
 * ("type must be a Type").
 */
export const HISTORIES_DIR = fileURLToPath(new URL('./histories/', import.meta.url));

const HistoryType = proto.temporal.api.history.v1.History;
type History = proto.temporal.api.history.v1.IHistory;

export function historyToFile(history: History): string {
  const object = HistoryType.toObject(HistoryType.fromObject(history), {
    longs: String,
    enums: String,
    bytes: String,
  });
  return `${JSON.stringify(object, null, 2)}\n`;
}

export function historyFromFile(text: string): History {
  return HistoryType.fromObject(JSON.parse(text) as Record<string, unknown>);
}

export interface RecordedHistory {
  file: string;
  /** The run's own workflow ID (the code derives child IDs from it, so replay needs the real one). */
  workflowId: string;
  workflowType: string;
  history: History;
}

/** Every recorded history, sorted by file name. */
export function recordedHistories(): RecordedHistory[] {
  return readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const history = historyFromFile(readFileSync(join(HISTORIES_DIR, file), 'utf8'));
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      if (!started?.workflowType?.name) {
        throw new Error(`${file} does not start with a WorkflowExecutionStarted event`);
      }
      const workflowId = started.workflowId || parentIdFromCallbacks(history) || file.replace(/\.json$/, '');
      return { file, workflowId, workflowType: started.workflowType.name, history };
    });
}

/**
 * The time-skipping test server leaves `workflowId` out of the started event. The only commands that depend on
 * it are the callback children (`<workflowId>-callback-<n>`, core/ids.ts), so their recorded IDs give it back.
 */
function parentIdFromCallbacks(history: History): string | undefined {
  for (const event of history.events ?? []) {
    const child = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    const m = child ? /^(.+)-callback-\d+$/.exec(child) : null;
    if (m) return m[1];
  }
  return undefined;
}
