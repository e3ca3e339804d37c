import { type Call, CONCURRENCY } from "./protocol.js"

/** Runs `calls` calls with at most `CONCURRENCY` in flight. */
export const drive = async (call: Call, calls: number) => {
  let started = 0
  const worker = async () => {
    while (started < calls) {
      started++
      await call()
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, calls) }, worker))
}
