/**
 * Gathers items that arrive within `windowMs` of the first one, up to `max`, and hands each group to `flush`
 * once. A full group goes at once; the window starts again with the next item.
 */
export function createCoalescer<T>(options: { windowMs: number; max: number; flush(group: T[]): void }) {
  let queue: T[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flushNow = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const group = queue;
    queue = [];
    if (group.length > 0) options.flush(group);
  };
  return {
    add(item: T): void {
      queue.push(item);
      if (queue.length >= options.max) flushNow();
      else timer ??= setTimeout(flushNow, options.windowMs);
    },
    /** Hands the items waiting now to `flush` without waiting for the window. */
    flush: flushNow,
    /** Items waiting for their group. */
    get pending(): number {
      return queue.length;
    },
  };
}
