import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, type LogLevel, NativeConnection, Runtime } from '@temporalio/worker';
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

let runtimeInstalled = false;
/**
 * Sets the SDK's own log level (it logs every worker state change at INFO). Must run before the first native
 * connection of the process; later calls do nothing.
 */
export function installRuntime(level: LogLevel = 'WARN', metricsBindAddress?: string): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger(level),
      // The SDK's own Prometheus exporter (temporal_activity_execution_failed_total, temporal_workflow_failed_total...).
      ...(metricsBindAddress
        ? {
            telemetryOptions: {
              metrics: {
                prometheus: {
                  bindAddress: metricsBindAddress,
                  countersTotalSuffix: true,
                  useSecondsForDurations: true,
                },
              },
            },
          }
        : {}),
    });
  } catch {
    // Already instantiated by an earlier connection: keep its settings.
  }
}

/** Native connection for workers. */
export function connectWorkerConnection(config: AppConfig): Promise<NativeConnection> {
  installRuntime('WARN', config.ops.workerMetricsAddress);
  return NativeConnection.connect(connectionOptions(config));
}
