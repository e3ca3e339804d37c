/** The app the benchmarks' fake servers accept (node-sdk insists on a `cli_` + 16 hex digits id). */
export const APP = { appId: "cli_0123456789abcdef", appSecret: "bench_secret" }

/** The webhook secrets of the benchmarks' apps (both configured on every side: encrypted, signed deliveries). */
export const WEBHOOK = { encryptKey: "bench encrypt key", verificationToken: "bench token" }
