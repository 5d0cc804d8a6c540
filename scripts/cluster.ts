/**
 * `npm run cluster`: a self-hosted Temporal cluster on this machine — two Temporal server processes (every service
 * in each) on loopback, persistence and visibility in the project Postgres (databases `temporal` and
 * `temporal_visibility`), the `default` namespace and the anchor's search attributes registered, and one TCP
 * balancer in front of both frontends. Builds the server from the Go module proxy the first time (cached under
 * ANCHOR_CACHE). The anchor points at it by config only (TEMPORAL_ADDRESS); `npm start` keeps the dev server.
 * Ctrl-C stops both nodes.
 *
 *   CLUSTER_NODES (2)  CLUSTER_SHARDS (4, fixed once the database exists)
 *   CLUSTER_PORT (17233: the balancer)  CLUSTER_NODE_PORT_BASE (17300: node i uses base + 20·i … + 8)
 */
import { join } from 'node:path';
import { ANCHOR_HOME, TEMPORAL_CLI } from './lib/paths.js';
import { isPortInUse } from './lib/ports.js';
import {
  buildTemporalServer,
  startTemporalCluster,
  TEMPORAL_SERVER_VERSION,
  type TemporalCluster,
} from './lib/temporal-cluster.js';

const step = (s: string) => console.log(`\x1b[1;34m==>\x1b[0m ${s}`);
const bold = (s: string) => `\x1b[1m${s}\x1b[0m`;

async function main() {
  const nodes = Number(process.env.CLUSTER_NODES ?? 2);
  const shards = Number(process.env.CLUSTER_SHARDS ?? 4);
  const balancerPort = Number(process.env.CLUSTER_PORT ?? 17233);
  const base = Number(process.env.CLUSTER_NODE_PORT_BASE ?? 17300);
  if (await isPortInUse(balancerPort)) {
    throw new Error(
      `port ${balancerPort} is in use (a cluster already running?); stop it or set CLUSTER_PORT`,
    );
  }

  step(`Temporal server ${TEMPORAL_SERVER_VERSION}`);
  await buildTemporalServer((line) => console.log(`    ${line}`));

  step(`Temporal cluster: ${nodes} nodes, ${shards} history shards`);
  const dir = join(ANCHOR_HOME, 'temporal-cluster');
  let cluster: TemporalCluster | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    step('stopping the cluster');
    await cluster?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  cluster = await startTemporalCluster({
    nodes,
    shards,
    dir,
    ports: { balancerPort, base },
    logLevel: 'warn',
    progress: (line) => console.log(`    ${line}`),
  });

  console.log(`
${bold('Temporal cluster ready')}
  frontends      ${cluster.frontends.join('  ')}
  balancer       ${cluster.address}  (new connections go to the next live frontend)
  namespace      ${cluster.namespace}
  persistence    postgres databases ${cluster.databases.default}, ${cluster.databases.visibility}
  node logs      ${cluster.nodes.map((n) => n.logFile).join('\n                 ')}

Point the anchor at it (config/schema.ts TEMPORAL_ADDRESS), e.g. in .env or per process:
  TEMPORAL_ADDRESS=${cluster.address} npm run worker
  TEMPORAL_ADDRESS=${cluster.address} npm run api
Inspect it with the CLI:
  ${TEMPORAL_CLI} workflow list --address ${cluster.address}

Ctrl-C stops both nodes.`);

  // A node that dies on its own ends the run with its log tail.
  const watch = setInterval(() => {
    const dead = cluster?.crashed();
    if (dead) {
      clearInterval(watch);
      console.error(`\x1b[1;31merror:\x1b[0m ${dead}`);
      void shutdown(1);
    }
  }, 1000);
}

main().catch((err) => {
  console.error(`\x1b[1;31merror:\x1b[0m ${(err as Error).message}`);
  process.exit(1);
});
