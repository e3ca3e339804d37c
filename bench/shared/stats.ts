/** Small statistics and formatting for the benchmarks' reports. */

/** The `p`-quantile (0..1) of `values`, nearest rank. */
export const quantile = (values: ReadonlyArray<number>, p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

/** A whole number, right-aligned in 7 columns. */
export const fmt = (n: number) => Math.round(n).toString().padStart(7)
