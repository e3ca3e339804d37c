/**
 * Rounds: every side of a benchmark runs once a round, each in a fresh process, the order rotating from round
 * to round, so that noise on a shared machine hits every side alike.
 */

/** `BENCH_ROUNDS` (default 3). */
export const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3)
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`BENCH_ROUNDS must be a positive integer, got ${ROUNDS}`)

/** The sides in the order of round `round` (from 0): rotated by one each round. */
export const inRound = <A>(sides: ReadonlyArray<A>, round: number): Array<A> => {
  const at = round % sides.length
  return [...sides.slice(at), ...sides.slice(0, at)]
}
