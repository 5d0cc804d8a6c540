/**
 * An HTTP proxy the fault tests put between the anchor and one simulator of the outside world (sandbox Horizon,
 * bank, KYC provider). At a configured rate (seeded, so a run's mix can be replayed) it answers a request with
 * one injected fault instead of the simulator's answer:
 *   - `5xx`     a 500/502/503/504 answer;
 *   - `reset`   the connection destroyed without an answer;
 *   - `timeout` no answer for `hangMs`, then the connection destroyed (a client without its own timeout waits
 *               that long);
 *   - `slow`    the simulator's answer, `slowMs` late.
 * `5xx`, `reset` and `timeout` happen before the request reaches the simulator or after it was applied there (a
 * coin flip, counted apart): the second is the answer lost on the way back, the case idempotency keys are for.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const FAULT_KINDS = ['5xx', 'reset', 'timeout', 'slow'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultProxyOptions {
  name: string;
  /** The simulator's base URL, e.g. http://127.0.0.1:8000 */
  target: string;
  /** Share of requests that get a fault, 0..1. */
  rate: number;
  random: () => number;
  kinds?: readonly FaultKind[];
  slowMs?: number;
  hangMs?: number;
  /** Only requests this accepts can get a fault (default: every request). */
  eligible?: (req: http.IncomingMessage) => boolean;
  /** The proxy's own port (0: any free one). A restarted proxy keeps its port. */
  port?: number;
}

export interface FaultStats {
  requests: number;
  faults: Record<FaultKind, number>;
  /** Faults injected after the simulator had applied the request (its answer lost on the way back). */
  afterUpstream: number;
}

export interface FaultProxy {
  name: string;
  url: string;
  port: number;
  stats: FaultStats;
  /** Changes the fault rate from now on (0 turns faults off). */
  setRate(rate: number): void;
  close(): Promise<void>;
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const kinds = opts.kinds ?? FAULT_KINDS;
  const slowMs = opts.slowMs ?? 1500;
  const hangMs = opts.hangMs ?? 12_000;
  let rate = opts.rate;
  const stats: FaultStats = {
    requests: 0,
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
    afterUpstream: 0,
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const pickFault = (req: http.IncomingMessage): { kind: FaultKind; after: boolean } | undefined => {
    if (rate <= 0 || (opts.eligible && !opts.eligible(req))) return undefined;
    if (opts.random() >= rate) return undefined;
    const kind = kinds[Math.floor(opts.random() * kinds.length)] ?? '5xx';
    return { kind, after: kind !== 'slow' && opts.random() < 0.5 };
  };

  const fail = (kind: FaultKind, res: http.ServerResponse) => {
    if (kind === '5xx') {
      const status = [500, 502, 503, 504][Math.floor(opts.random() * 4)]!;
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ error: `injected ${status} (${opts.name} fault proxy)` }));
    } else if (kind === 'reset') {
      res.socket?.resetAndDestroy();
    } else {
      later(hangMs, () => res.socket?.destroy());
    }
  };

  const server = http.createServer((req, res) => {
    stats.requests++;
    const fault = pickFault(req);
    if (fault) {
      stats.faults[fault.kind]++;
      if (fault.after) stats.afterUpstream++;
    }
    if (fault && fault.kind !== 'slow' && !fault.after) {
      req.resume();
      fail(fault.kind, res);
      return;
    }
    const upstream = http.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (up) => {
        if (fault?.after) {
          // Applied upstream; the answer is lost on the way back.
          up.resume();
          up.on('end', () => fail(fault.kind, res));
          return;
        }
        const answer = () => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        };
        if (fault?.kind === 'slow') later(slowMs, answer);
        else answer();
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ error: `${opts.name} unreachable behind the fault proxy` }));
      } else res.destroy();
    });
    // A client that gives up takes its upstream request with it.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    name: opts.name,
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    setRate(r) {
      rate = r;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
