import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, restartDelay } from '../../scripts/lib/supervisor.js';

describe('npm start restart back-off (issue 15 item 6)', () => {
  it('doubles from 1 s and stops at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => restartDelay(n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    expect(restartDelay(3, { ...DEFAULT_BACKOFF, initialMs: 100, maxMs: 250 })).toBe(250);
  });
});
