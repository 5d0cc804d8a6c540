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

/** Every recorded history, by file name (used as the workflow id in replay reports). */
export function recordedHistories(): { workflowId: string; history: History }[] {
  return readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: historyFromFile(readFileSync(join(HISTORIES_DIR, f), 'utf8')),
    }));
}
