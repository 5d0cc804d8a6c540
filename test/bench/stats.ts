/** Median and spread of a few alternated measurements (the figures BENCHMARKS.md reports). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** "min–max" with a precision that suits the magnitude. */
export function spread(xs: number[]): string {
  const f = (n: number) =>
    Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
  return `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
}
