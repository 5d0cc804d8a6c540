import type { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD (@temporalio/proto is not a direct dependency). */
const KEYWORD = 2;

/**
 * Registers the anchor's custom search attributes on a server that doesn't know them yet (the time-skipping test
 * server starts empty; the dev server gets them as flags). Without this, a workflow that upserts
 * `TransactionStatus` fails its tasks with "search attribute ... is not defined".
 */
export async function registerSearchAttributes(connection: Connection, namespace = 'default'): Promise<void> {
  const searchAttributes = Object.fromEntries(SEARCH_ATTRIBUTES.map((k) => [k.name, KEYWORD]));
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
}
