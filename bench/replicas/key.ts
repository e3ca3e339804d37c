/** The Encrypt Key shared by the benchmark and its replicas. */
export const KEY = "bench key"
