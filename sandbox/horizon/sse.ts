import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import type { Ledger } from './ledger.js';
import type { Paging } from './paging.js';
import type { PageQuery } from './store.js';

export interface StreamDeps {
  ledger: Ledger;
  shutdown: AbortSignal;
}

export function wantsStream(c: Context): boolean {
  return (c.req.header('accept') ?? '').includes('text/event-stream');
}

/**
 * Server-sent events exactly as Horizon writes them: `retry:`, an `open` event, then one `id:`/`data:` message
 * per record in ascending order, continuing as ledgers close.
 */
export function streamRecords(
  c: Context,
  d: StreamDeps,
  p: Paging,
  fetch: (q: PageQuery) => Promise<Record<string, unknown>[]>,
) {
  c.header('Content-Type', 'text/event-stream');
  c.header('Cache-Control', 'no-cache');
  c.header('Connection', 'keep-alive');
  return stream(c, async (s) => {
    // One waiter at a time, woken by the next ledger close, the client going away or the sandbox stopping.
    let wake: (() => void) | undefined;
    let signalled = false;
    const wakeUp = () => {
      signalled = true;
      const w = wake;
      wake = undefined;
      w?.();
    };
    d.ledger.events.on('ledger', wakeUp);
    d.shutdown.addEventListener('abort', wakeUp);
    s.onAbort(wakeUp);
    const aborted = () => s.aborted || s.closed || d.shutdown.aborted;
    d.ledger.openStreams += 1;
    try {
      await s.write('retry: 1000\nevent: open\ndata: "hello"\n\n');
      let cursor = p.cursor;
      while (!aborted()) {
        signalled = false;
        const records = await fetch({ cursor, order: 'asc', limit: 200, includeFailed: false });
        for (const r of records) {
          await s.write(`id: ${r.paging_token}\ndata: ${JSON.stringify(r)}\n\n`);
          cursor = BigInt(String(r.paging_token));
        }
        if (records.length === 200 || signalled || aborted()) continue;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      d.ledger.openStreams -= 1;
      d.ledger.events.off('ledger', wakeUp);
      d.shutdown.removeEventListener('abort', wakeUp);
    }
  });
}
