/**
 * A self-hosted Temporal cluster on this machine: the Temporal server built from the Go module proxy (cached like
 * the CLI), persistence and visibility in the project Postgres, N server processes that each run every service
 * (frontend, history, matching, worker) and find each other through the cluster_membership table, and one TCP
 * balancer in front of the frontends, the way a deployment puts a load balancer before them. Used by
 * `npm run cluster` (scripts/cluster.ts) and the cluster test (test/cluster/).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import pg from 'pg';
import { stringify } from 'yaml';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { ANCHOR_CACHE, PG_PASSWORD, PG_PORT, PG_USER, pgUrl } from './paths.js';
import { freePort, isPortInUse } from './ports.js';
import { ensureDatabase, ensurePostgres } from './postgres.js';
import { tail } from './proc.js';

const run = promisify(execFile);
const env = process.env;

export const TEMPORAL_SERVER_VERSION = env.TEMPORAL_SERVER_VERSION ?? '1.32.2';
/** The Go toolchain the server module is built with; `go` downloads it itself (any go ≥ 1.21 on PATH). */
export const TEMPORAL_SERVER_GOTOOLCHAIN = env.TEMPORAL_SERVER_GOTOOLCHAIN ?? 'go1.27.3';
const SERVER_DIR = join(ANCHOR_CACHE, 'temporal-server', TEMPORAL_SERVER_VERSION);
export const TEMPORAL_SERVER = join(SERVER_DIR, 'server');
/** `temporal-sql-tool` in Temporal's images; `go install` names it after its package. */
export const TEMPORAL_SQL_TOOL = join(SERVER_DIR, 'sql');

/** `go install` targets and the name each binary gets in the cache. */
const BUILDS = [
  { pkg: 'go.temporal.io/server/cmd/server', built: 'server', dest: TEMPORAL_SERVER },
  { pkg: 'go.temporal.io/server/cmd/tools/sql', built: 'sql', dest: TEMPORAL_SQL_TOOL },
] as const;

export function isTemporalServerBuilt(): boolean {
  return existsSync(TEMPORAL_SERVER) && existsSync(TEMPORAL_SQL_TOOL);
}

/**
 * Builds the server and the SQL tool with `go install` unless both are cached. Several minutes the first time
 * (2 cores: about 7); `progress` gets a line per 100 compiled packages and the build's errors. Each binary is
 * moved into the cache only once it is complete, so an interrupted build leaves nothing half-written behind.
 */
export async function buildTemporalServer(progress: (line: string) => void = console.log): Promise<void> {
  if (isTemporalServerBuilt()) return;
  try {
    await run('go', ['version']);
  } catch {
    throw new Error(
      'the Temporal server is built from source and needs Go on PATH (any go ≥ 1.21; it fetches ' +
        `${TEMPORAL_SERVER_GOTOOLCHAIN} itself): apt-get install golang-go, or see https://go.dev/dl/`,
    );
  }
  mkdirSync(SERVER_DIR, { recursive: true });
  // GOBIN directories of builds that were interrupted.
  for (const entry of readdirSync(SERVER_DIR)) {
    if (entry.startsWith('.build-')) rmSync(join(SERVER_DIR, entry), { recursive: true, force: true });
  }
  const gobin = mkdtempSync(join(SERVER_DIR, '.build-'));
  const logFile = join(SERVER_DIR, 'build.log');
  try {
    for (const b of BUILDS) {
      if (existsSync(b.dest)) continue;
      const target = `${b.pkg}@v${TEMPORAL_SERVER_VERSION}`;
      progress(`go install ${target} (GOTOOLCHAIN=${TEMPORAL_SERVER_GOTOOLCHAIN}; log ${logFile})`);
      await goInstall(target, gobin, logFile, progress);
      renameSync(join(gobin, b.built), b.dest);
    }
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
}

function goInstall(
  target: string,
  gobin: string,
  logFile: string,
  progress: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn('go', ['install', '-v', target], {
    env: { ...env, GOTOOLCHAIN: TEMPORAL_SERVER_GOTOOLCHAIN, GOBIN: gobin },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let packages = 0;
  let pending = '';
  const onData = (chunk: Buffer) => {
    log.write(chunk);
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      // `-v` prints one package path per compiled package; everything else (downloads, errors) as it comes.
      if (/^[\w.-]+(\/[\w.@~+-]+)*$/.test(line)) {
        packages++;
        if (packages % 100 === 0) {
          progress(`  ${packages} packages compiled (${Math.round((Date.now() - started) / 1000)} s)`);
        }
      } else if (!line.startsWith('go: downloading')) progress(`  ${line}`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      log.end();
      if (code === 0) {
        progress(`  built in ${Math.round((Date.now() - started) / 1000)} s`);
        resolve();
      } else reject(new Error(`go install ${target} failed (exit ${code}):\n${tail(logFile, 20)}`));
    });
  });
}

/** The Postgres schemas ship inside the SQL tool (`--schema-name`), the same files as the module's schema/. */
const SCHEMAS = { default: 'postgresql/v12/temporal', visibility: 'postgresql/v12/visibility' } as const;

async function sqlTool(database: string, args: string[]): Promise<void> {
  try {
    await run(
      TEMPORAL_SQL_TOOL,
      [
        '--plugin',
        'postgres12',
        '--endpoint',
        '127.0.0.1',
        '--port',
        String(PG_PORT),
        '--db',
        database,
        ...args,
      ],
      // The password by environment, not on the command line (ps would show it).
      { env: { ...env, SQL_USER: PG_USER, SQL_PASSWORD: PG_PASSWORD } },
    );
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`temporal-sql-tool ${args[0]} on ${database}: ${e.stderr?.trim() || e.message}`);
  }
}

/**
 * Creates the persistence and visibility databases on the project Postgres and brings both schemas to the
 * version this server ships (`setup-schema -v 0.0` only creates the version table once; `update-schema` applies
 * what is missing), so it is safe to run on every start.
 */
export async function prepareClusterDatabases(databases: ClusterDatabases): Promise<void> {
  await ensurePostgres();
  for (const [store, database] of [
    ['default', databases.default],
    ['visibility', databases.visibility],
  ] as const) {
    await ensureDatabase(database);
    await sqlTool(database, ['setup-schema', '-v', '0.0']);
    await sqlTool(database, ['update-schema', '--schema-name', SCHEMAS[store]]);
  }
}

export async function dropClusterDatabases(databases: ClusterDatabases): Promise<void> {
  const admin = new pg.Client({ connectionString: pgUrl('postgres') });
  await admin.connect();
  try {
    for (const database of [databases.default, databases.visibility]) {
      if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`invalid database name: ${database}`);
      await admin.query(`drop database if exists ${database} with (force)`);
    }
  } finally {
    await admin.end();
  }
}

export interface ClusterDatabases {
  default: string;
  visibility: string;
}

/** The ports one node listens on (every service of a node on its own gRPC and membership port). */
export interface NodePorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

const PORT_NAMES = [
  'frontend',
  'frontendHttp',
  'frontendMembership',
  'history',
  'historyMembership',
  'matching',
  'matchingMembership',
  'worker',
  'workerMembership',
] as const satisfies readonly (keyof NodePorts)[];

/** Fixed ports from `base` (node i at base + 20·i, services in PORT_NAMES order), for a cluster people reuse. */
export function fixedNodePorts(base: number, node: number): NodePorts {
  return Object.fromEntries(
    PORT_NAMES.map((name, k) => [name, base + 20 * node + k]),
  ) as unknown as NodePorts;
}

/**
 * Free ports below 32768: a node's membership address goes into cluster_membership.rpc_port, a SMALLINT, so the
 * kernel's ephemeral range (32768 and up, what freePort() hands out) would break the membership heartbeat.
 */
async function freeNodePorts(taken: Set<number>): Promise<NodePorts> {
  const ports: number[] = [];
  while (ports.length < PORT_NAMES.length) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port) || (await isPortInUse(port))) continue;
    taken.add(port);
    ports.push(port);
  }
  return Object.fromEntries(PORT_NAMES.map((name, k) => [name, ports[k]])) as unknown as NodePorts;
}

/** Dynamic config every node reads: what the dev server turns on and the anchor relies on. */
const DYNAMIC_CONFIG = {
  // A search attribute registered at start is usable at once (the dev server sets it too).
  'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true, constraints: {} }],
  'frontend.enableUpdateWorkflowExecution': [{ value: true, constraints: {} }],
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': [{ value: true, constraints: {} }],
};

interface NodeConfigInput {
  ports: NodePorts;
  shards: number;
  databases: ClusterDatabases;
  /** The first node's frontend: the cluster's address in its own metadata. */
  clusterAddress: string;
  dynamicConfigFile: string;
  logLevel: string;
}

/** The server config of one node, as the module's config/development-postgres12.yaml shapes it. */
export function nodeConfig(input: NodeConfigInput): Record<string, unknown> {
  const { ports } = input;
  const sqlStore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `127.0.0.1:${PG_PORT}`,
      connectProtocol: 'tcp',
      user: PG_USER,
      password: PG_PASSWORD,
      // Per service and node: 4 services × 2 nodes × (8 + 3) stays far below the project cluster's 300.
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
    rpc: {
      grpcPort,
      membershipPort,
      bindOnIP: '127.0.0.1',
      ...(httpPort ? { httpPort } : {}),
    },
  });
  return {
    log: { stdout: true, level: input.logLevel },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: input.shards,
      datastores: {
        'postgres-default': sqlStore(input.databases.default, 8),
        'postgres-visibility': sqlStore(input.databases.visibility, 3),
      },
    },
    global: {
      // Ringpop on loopback; the seeds come from the cluster_membership table both nodes write.
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      pprof: { port: 0 },
    },
    services: {
      frontend: rpc(ports.frontend, ports.frontendMembership, ports.frontendHttp),
      history: rpc(ports.history, ports.historyMembership),
      matching: rpc(ports.matching, ports.matchingMembership),
      worker: rpc(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: input.clusterAddress,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: input.dynamicConfigFile, pollInterval: '10s' },
  };
}

export interface ClusterOptions {
  /** Server processes (default 2). */
  nodes?: number;
  /** History shards (fixed for the life of the persistence database; default 4). */
  shards?: number;
  databases?: ClusterDatabases;
  /** Config files and node logs. */
  dir: string;
  /** Fixed ports: the balancer on `balancerPort`, nodes from `base` (fixedNodePorts). Free ports when absent. */
  ports?: { balancerPort: number; base: number };
  namespace?: string;
  /** Workflow retention of a namespace this call registers. */
  retentionDays?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  progress?: (line: string) => void;
}

export interface ClusterNode {
  index: number;
  ports: NodePorts;
  /** The node's own frontend, host:port. */
  frontend: string;
  configFile: string;
  logFile: string;
  process?: ChildProcess;
}

export interface TemporalCluster {
  /** The balancer over every frontend: what TEMPORAL_ADDRESS points at. */
  address: string;
  frontends: string[];
  nodes: ClusterNode[];
  namespace: string;
  databases: ClusterDatabases;
  /** Signals node i (SIGKILL by default) and waits until it is gone. */
  killNode(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts node i again with the same config and ports; resolves once its frontend serves the namespace. */
  startNode(i: number): Promise<void>;
  /** Exits of nodes this handle did not stop or kill (a node that crashed on its own). */
  crashed(): string | undefined;
  stop(): Promise<void>;
}

const alive = (p: ChildProcess | undefined): p is ChildProcess =>
  !!p && p.exitCode === null && p.signalCode === null;

/**
 * Prepares the databases, writes one config per node, starts every node, registers `namespace` and the anchor's
 * search attributes, and starts the balancer. The binaries must be built (buildTemporalServer).
 */
export async function startTemporalCluster(opts: ClusterOptions): Promise<TemporalCluster> {
  if (!isTemporalServerBuilt()) {
    throw new Error(
      `Temporal server ${TEMPORAL_SERVER_VERSION} is not built at ${SERVER_DIR}: run "npm run cluster"`,
    );
  }
  const progress = opts.progress ?? (() => {});
  const count = opts.nodes ?? 2;
  const namespace = opts.namespace ?? 'default';
  const databases = opts.databases ?? { default: 'temporal', visibility: 'temporal_visibility' };
  mkdirSync(opts.dir, { recursive: true });

  progress(`databases ${databases.default} and ${databases.visibility} (schema ${TEMPORAL_SERVER_VERSION})`);
  await prepareClusterDatabases(databases);

  const taken = new Set<number>();
  const nodePorts: NodePorts[] = [];
  for (let i = 0; i < count; i++) {
    nodePorts.push(opts.ports ? fixedNodePorts(opts.ports.base, i) : await freeNodePorts(taken));
  }
  const dynamicConfigFile = join(opts.dir, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfigFile, stringify(DYNAMIC_CONFIG));
  const clusterAddress = `127.0.0.1:${nodePorts[0]!.frontend}`;
  const nodes: ClusterNode[] = nodePorts.map((ports, index) => {
    const configFile = join(opts.dir, `node-${index}.yaml`);
    writeFileSync(
      configFile,
      stringify(
        nodeConfig({
          ports,
          shards: opts.shards ?? 4,
          databases,
          clusterAddress,
          dynamicConfigFile,
          logLevel: opts.logLevel ?? 'warn',
        }),
      ),
      { mode: 0o600 }, // it holds the database password
    );
    return {
      index,
      ports,
      frontend: `127.0.0.1:${ports.frontend}`,
      configFile,
      logFile: join(opts.dir, `node-${index}.log`),
    };
  });

  let stopping = false;
  let crashed: string | undefined;
  const expectedExit = new Set<ChildProcess>();
  const spawnNode = (node: ClusterNode) => {
    const out = createWriteStream(node.logFile, { flags: 'a' });
    const child = spawn(TEMPORAL_SERVER, ['--config-file', node.configFile, '--allow-no-auth', 'start'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    child.once('exit', (code, signal) => {
      if (!stopping && !expectedExit.has(child)) {
        crashed = `Temporal node ${node.index} exited (${signal ?? `code ${code}`}):\n${tail(node.logFile, 30)}`;
      }
    });
    node.process = child;
  };
  const killAll = () => {
    for (const n of nodes) if (alive(n.process)) n.process.kill('SIGKILL');
  };
  process.once('exit', killAll);

  let balancer: Balancer | undefined;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.off('exit', killAll);
    await balancer?.close();
    await Promise.all(nodes.map((n) => stopNode(n.process)));
  };

  try {
    progress(`starting ${count} nodes (frontends ${nodes.map((n) => n.frontend).join(', ')})`);
    const ready = (node: ClusterNode, ns: string) => waitForNamespace(node, ns, 120_000, () => crashed);
    // The first node alone writes the cluster metadata record of a fresh database: two nodes starting at once
    // both try to insert it and the loser exits ("duplicate key ... cluster_metadata_info_pkey"). The server
    // creates its own system namespace once persistence and membership are up; then the others join.
    const [first, ...others] = nodes;
    spawnNode(first!);
    await ready(first!, 'temporal-system');
    for (const node of others) spawnNode(node);
    await Promise.all(others.map((n) => ready(n, 'temporal-system')));
    await registerNamespace(nodes[0]!.frontend, namespace, opts.retentionDays ?? 3);
    await Promise.all(nodes.map((n) => ready(n, namespace)));
    balancer = await startBalancer(
      nodes.map((n) => n.frontend),
      opts.ports?.balancerPort ?? (await freePort()),
    );
    progress(`namespace ${namespace} and search attributes registered; balancer on ${balancer.address}`);
    return {
      address: balancer.address,
      frontends: nodes.map((n) => n.frontend),
      nodes,
      namespace,
      databases,
      async killNode(i, signal = 'SIGKILL') {
        const p = nodes[i]?.process;
        if (!alive(p)) return;
        expectedExit.add(p);
        const exited = new Promise((r) => p.once('exit', r));
        p.kill(signal);
        await exited;
      },
      async startNode(i) {
        const node = nodes[i]!;
        if (alive(node.process)) return;
        spawnNode(node);
        await ready(node, namespace);
      },
      crashed: () => crashed,
      stop,
    };
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}${crashed ? `\n${crashed}` : ''}\n(logs in ${opts.dir})`);
  }
}

async function stopNode(p: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!alive(p)) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function waitForNamespace(
  node: ClusterNode,
  namespace: string,
  timeoutMs: number,
  crashed: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const dead = crashed();
    if (dead) throw new Error(dead);
    try {
      const connection = await Connection.connect({ address: node.frontend, connectTimeout: '2s' });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `Temporal node ${node.index} (${node.frontend}) did not serve namespace ${namespace} in ${timeoutMs / 1000} s ` +
      `(${last}):\n${tail(node.logFile, 20)}`,
  );
}

const GRPC_ALREADY_EXISTS = 6;
/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD */
const INDEXED_VALUE_TYPE_KEYWORD = 2;

/** Registers the namespace and the workflows' search attributes; both idempotent. */
export async function registerNamespace(
  address: string,
  namespace: string,
  retentionDays: number,
): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: '5s' });
  try {
    await connection.workflowService
      .registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
      })
      .catch((err: { code?: number }) => {
        if (err.code !== GRPC_ALREADY_EXISTS) throw err;
      });
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing: Record<string, number> = {};
    for (const key of SEARCH_ATTRIBUTES) {
      if (key.type !== 'KEYWORD')
        throw new Error(`search attribute ${key.name}: only keywords are registered here`);
      if (!(key.name in (existing.customAttributes ?? {}))) missing[key.name] = INDEXED_VALUE_TYPE_KEYWORD;
    }
    if (Object.keys(missing).length > 0) {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    }
  } finally {
    await connection.close();
  }
}

interface Balancer {
  address: string;
  close(): Promise<void>;
}

/**
 * A TCP balancer over the frontends: each new connection goes to the next frontend that accepts it. A gRPC
 * connection to a node that dies is closed with it, and the client's reconnect lands on a live frontend, which is
 * what a load balancer (or DNS over several A records) in front of the frontends does in a deployment.
 */
export function startBalancer(frontends: string[], port: number): Promise<Balancer> {
  const sockets = new Set<Socket>();
  let next = 0;
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const server: Server = createServer((client) => {
    track(client);
    client.pause();
    const attempt = (tries: number) => {
      if (tries === frontends.length || client.destroyed) {
        client.destroy();
        return;
      }
      const [host, p] = frontends[next++ % frontends.length]!.split(':') as [string, string];
      const upstream = connect({ host, port: Number(p) });
      track(upstream);
      upstream.setTimeout(2000, () => upstream.destroy(new Error('connect timeout')));
      // Refused or timed out before connecting: the next frontend.
      upstream.once('error', () => attempt(tries + 1));
      upstream.once('connect', () => {
        upstream.setTimeout(0);
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
        client.once('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        address: `127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
