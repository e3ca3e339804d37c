/**
 * A private `redis-server` for tests, examples and benchmarks (`redis-server` must be on PATH): on a free
 * 127.0.0.1 port, with an append-only file synced on every write (so that a restart keeps what was written,
 * as a production Redis with AOF does), stopped when the scope closes. `kill` simulates a crash (SIGKILL), `start` brings it back on the same port and data.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { accessSync, appendFileSync, constants, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Redis as IORedis } from "ioredis"
import { callback } from "../../src/internal/dialect.js"

/** The `redis-server` executable on PATH, if any. */
export const redisServerPath: string | undefined = (process.env.PATH ?? "").split(delimiter)
  .map((dir) => join(dir, "redis-server"))
  .find((file) => {
    try {
      accessSync(file, constants.X_OK)
      return true
    } catch {
      return false
    }
  })

/** Why the Redis suites are skipped, or `undefined` when they can run. */
export const skipReason: string | undefined = redisServerPath === undefined
  ? "redis-server is not on PATH (Debian: apt-get install redis-server)"
  : undefined

export interface RedisServer {
  readonly url: string
  /** Crashes the server (SIGKILL) and waits for it to be gone. */
  readonly kill: Effect.Effect<void>
  /** Starts it again on the same port and data directory. */
  readonly start: Effect.Effect<void>
}

const freePort = callback<number>((resume) => {
  const probe = createServer()
  probe.listen(0, "127.0.0.1", () => {
    const { port } = probe.address() as { port: number }
    probe.close(() => resume(Effect.succeed(port)))
  })
})

const launch = (port: number, dir: string) =>
  callback<ChildProcess, Error>((resume) => {
    const child = spawn(redisServerPath!, [
      "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "",
      "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "no"
    ], { stdio: ["ignore", "pipe", "pipe"] })
    // a CI script may list the servers to stop what a crashed test runner left behind (see .ci/run)
    if (process.env.LARK_REDIS_PIDS) appendFileSync(process.env.LARK_REDIS_PIDS, `${child.pid}\n`)
    let output = ""
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes("Ready to accept connections")) {
        child.stdout!.off("data", onData)
        child.stdout!.resume()
        resume(Effect.succeed(child))
      }
    }
    child.stdout!.on("data", onData)
    child.once("exit", (code) => resume(Effect.fail(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`))))
  })

const stop = (child: ChildProcess) =>
  callback<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
    child.kill("SIGKILL")
  })

/** Starts a private server; it is killed and its data removed when the scope closes. */
export const redisServer: Effect.Effect<RedisServer, Error, Scope.Scope> = Effect.gen(function*() {
  const port = yield* freePort
  const dir = mkdtempSync(join(tmpdir(), "lark-redis-"))
  let child = yield* launch(port, dir)
  // a process that exits or is stopped (Ctrl-C) before the scope closes must not leave the server behind
  const onExit = () => {
    child.kill("SIGKILL")
    rmSync(dir, { recursive: true, force: true })
  }
  const onSignal = (signal: NodeJS.Signals) => {
    onExit()
    forget()
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal) // then die as the signal says
  }
  const forget = () => {
    process.off("exit", onExit).off("SIGINT", onSignal).off("SIGTERM", onSignal)
  }
  process.once("exit", onExit).once("SIGINT", onSignal).once("SIGTERM", onSignal)
  yield* Effect.addFinalizer(() =>
    Effect.andThen(stop(child), Effect.sync(() => {
      forget()
      rmSync(dir, { recursive: true, force: true })
    }))
  )
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: Effect.suspend(() => stop(child)),
    start: Effect.orDie(Effect.map(Effect.suspend(() => launch(port, dir)), (started) => void (child = started)))
  }
})

/**
 * The commands clients send to the Redis at `url` while `effect` runs, counted by name, seen through MONITOR
 * (which also shows the commands a script runs inside Redis, marked "lua": those are not round trips and
 * are left out).
 */
export const clientCommands = <A, E, R>(url: string, effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => new IORedis(url, { lazyConnect: true })),
    (client) =>
      Effect.gen(function*() {
        const monitor = yield* Effect.promise(() => client.monitor())
        const seen: Record<string, number> = {}
        monitor.on("monitor", (_time: string, args: Array<string>, source: string) => {
          const name = args[0]!.toLowerCase()
          if (source !== "lua") seen[name] = (seen[name] ?? 0) + 1
        })
        yield* effect
        yield* Effect.sleep("200 millis") // MONITOR lines arrive after the replies
        monitor.disconnect()
        return seen
      }),
    (client) => Effect.sync(() => client.disconnect())
  )
