import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { AppConfig } from './index.js';

function connectionOptions(config: AppConfig) {
  const { address, tls, apiKey } = config.temporal;
  return { address, ...(tls || apiKey ? { tls: true } : {}), ...(apiKey ? { apiKey } : {}) };
}

/** Client connection for the API and scripts. */
export async function connectTemporalClient(config: AppConfig): Promise<Client> {
  const connection = await Connection.connect({ ...connectionOptions(config), connectTimeout: '5s' });
  return new Client({ connection, namespace: config.temporal.namespace });
}

/** Native connection for workers. */
export function connectWorkerConnection(config: AppConfig): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}
