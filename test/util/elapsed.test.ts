import { describe, expect, it } from 'vitest';
import { elapsedMs } from '../../src/util/elapsed.js';

describe('elapsedMs', () => {
  it('rounds the difference to 0.01 ms', () => {
    expect(elapsedMs(100, 112.34567)).toBe(12.35);
    expect(elapsedMs(5, 5)).toBe(0);
  });

  it('measures up to now when no end is given', () => {
    const t0 = performance.now() - 50;
    const ms = elapsedMs(t0);
    expect(ms).toBeGreaterThanOrEqual(50);
    expect(ms * 100).toBeCloseTo(Math.round(ms * 100), 6);
  });
});
