// "Did you mean …?" suggestions for misspelt keys, enum values and names.

/**
 * Optimal-string-alignment distance (Levenshtein plus transposition of two adjacent characters,
 * the restricted Damerau form), case-sensitive. Stops early and returns `limit + 1` once the
 * distance is known to exceed `limit`.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/** Largest edit distance that still earns a suggestion. */
export const MAX_SUGGESTION_DISTANCE = 2;

/**
 * The candidate closest to `input`: same word in another case, or within edit distance 2
 * (ignoring case), or (for inputs of 3+ characters) a candidate that starts with `input`.
 * Ties go to the earlier candidate. Returns null when nothing is close enough.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | null {
  const lower = input.toLowerCase();
  let best: string | null = null;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const cl = candidate.toLowerCase();
    let score: number;
    if (cl === lower) score = 0;
    else {
      const d = editDistance(lower, cl, MAX_SUGGESTION_DISTANCE);
      if (d <= MAX_SUGGESTION_DISTANCE && d < Math.max(lower.length, cl.length)) score = d;
      else if (lower.length >= 3 && cl.startsWith(lower)) score = MAX_SUGGESTION_DISTANCE + 0.5;
      else continue;
    }
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** ` (did you mean "x"?)`, or '' when there is no suggestion. */
export function suggestionSuffix(input: string, candidates: Iterable<string>): string {
  const s = didYouMean(input, candidates);
  return s === null ? '' : ` (did you mean ${JSON.stringify(s)}?)`;
}
