// Phase times in reports (HostResult.timing) are milliseconds to two decimals: enough to compare
// phases, short enough to keep a 10,000-host JSON report small.

/** Milliseconds from `from` to `to` (performance.now() values), rounded to 0.01 ms. */
export function elapsedMs(from: number, to: number = performance.now()): number {
  return Math.round((to - from) * 100) / 100;
}
