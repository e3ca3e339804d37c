/**
 * Safety: own and stale messages at a given time, the per-chat queue (order within a chat, parallelism
 * across chats, the concurrency bound, failures, interruption), send-error classification and the SSRF guard.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Fiber from "effect/Fiber"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as ChatQueue from "../../src/channel/ChatQueue.js"
import { ChannelSendError, fromLarkError } from "../../src/channel/errors.js"
import { makePolicy } from "../../src/channel/policy.js"
import { isStale, screenAt } from "../../src/channel/safety.js"
import { checkMediaUrl, isInternalAddress } from "../../src/channel/ssrf.js"
import { getFailure, isFailure, Service } from "../../src/internal/dialect.js"
import { LarkApiError, LarkHttpError, LarkRequestError, LarkTokenError } from "../../src/LarkError.js"
import { fork, scoped, withLogsTo } from "../dialect.js"
import { channelMessage } from "../fixtures/message.js"

const BOT = "ou_bot"
const MIN = 60_000

const message = channelMessage

const options = { policy: makePolicy(), botOpenId: BOT }

describe("screenAt", () => {
  it("admits a fresh message and drops one older than 30 minutes", () => {
    assert.deepStrictEqual(screenAt(message({ createTime: 10 * MIN }), options, 40 * MIN), { _tag: "Admit", by: "policy" })
    assert.deepStrictEqual(screenAt(message({ createTime: 10 * MIN - 1 }), options, 40 * MIN), { _tag: "Drop", reason: "stale" })
  })

  it("the age limit can be changed", () => {
    const d = screenAt(message({ createTime: 4 * MIN }), { ...options, maxAge: Duration.minutes(5) }, 10 * MIN)
    assert.deepStrictEqual(d, { _tag: "Drop", reason: "stale" })
  })

  it("drops the bot's own messages before anything else", () => {
    const own = message({ sender: { openId: BOT, type: "app", isBot: true } })
    assert.deepStrictEqual(screenAt(own, options, 100 * MIN), { _tag: "Drop", reason: "self_sent" })
    // Without the bot's id nothing is "own".
    assert.deepStrictEqual(screenAt(own, { policy: makePolicy() }, 100 * MIN), { _tag: "Drop", reason: "stale" })
  })

  it("then applies the policy", () => {
    const d = screenAt(message({ chatType: "group" }), options, 0)
    assert.deepStrictEqual(d, { _tag: "Drop", reason: "policy_no_mention" })
  })

  it("isStale is exclusive at the limit", () => {
    assert.isFalse(isStale(0, 30 * MIN))
    assert.isTrue(isStale(0, 30 * MIN + 1))
  })
})

describe("ChatQueue", () => {
  /** Work that records its start and end and takes `ms` of (test) time. */
  const step = (log: Array<string>, name: string, ms: number) =>
    Effect.gen(function*() {
      log.push(`${name}+`)
      yield* Effect.sleep(Duration.millis(ms))
      log.push(`${name}-`)
    })

  scoped("one chat in order, other chats in parallel", () =>
    Effect.gen(function*() {
      const queue = yield* ChatQueue.make({ concurrency: 4 })
      const log: Array<string> = []
      yield* queue.offer("a", step(log, "a1", 100))
      yield* queue.offer("a", step(log, "a2", 10))
      yield* queue.offer("b", step(log, "b1", 50))
      yield* TestClock.adjust(Duration.millis(1))
      // a1 and b1 started together; a2 waits for a1 although it is shorter.
      assert.deepStrictEqual(log, ["a1+", "b1+"])
      yield* TestClock.adjust(Duration.millis(60))
      assert.deepStrictEqual(log, ["a1+", "b1+", "b1-"])
      yield* TestClock.adjust(Duration.millis(40))
      assert.deepStrictEqual(log, ["a1+", "b1+", "b1-", "a1-", "a2+"])
      yield* TestClock.adjust(Duration.millis(10))
      assert.deepStrictEqual(log.slice(-1), ["a2-"])
      assert.strictEqual(yield* queue.size, 0)
    }))

  scoped("never runs more than `concurrency` items at once", () =>
    Effect.gen(function*() {
      const queue = yield* ChatQueue.make({ concurrency: 2 })
      let running = 0
      let peak = 0
      const work = Effect.acquireUseRelease(
        Effect.sync(() => {
          running++
          peak = Math.max(peak, running)
        }),
        () => Effect.sleep(Duration.millis(10)),
        () => Effect.sync(() => running--)
      )
      for (const chat of ["a", "b", "c", "d", "e"]) {
        yield* queue.offer(chat, work)
        yield* queue.offer(chat, work)
      }
      assert.strictEqual(yield* queue.size, 10)
      for (let i = 0; i < 10; i++) yield* TestClock.adjust(Duration.millis(10))
      assert.strictEqual(peak, 2)
      assert.strictEqual(yield* queue.size, 0)
    }))

  scoped("chats take turns: one chat's backlog does not hold another chat up", () =>
    Effect.gen(function*() {
      const queue = yield* ChatQueue.make({ concurrency: 1 })
      const log: Array<string> = []
      for (const name of ["a1", "a2", "a3"]) yield* queue.offer("a", step(log, name, 10))
      yield* queue.offer("b", step(log, "b1", 10))
      for (let i = 0; i < 4; i++) yield* TestClock.adjust(Duration.millis(10))
      assert.deepStrictEqual(log.filter((entry) => entry.endsWith("+")), ["a1+", "b1+", "a2+", "a3+"])
    }))

  scoped("work runs with the context the queue was made in", () =>
    Effect.gen(function*() {
      class Greeting extends Service<Greeting, string>()("test/Greeting") {}
      const queue = yield* ChatQueue.make<string, Greeting>().pipe(Effect.provideService(Greeting, "hello"))
      const done = yield* Deferred.make<string>()
      yield* queue.offer("a", Effect.gen(function*() {
        yield* Deferred.succeed(done, yield* Greeting)
      }))
      assert.strictEqual(yield* Deferred.await(done), "hello")
    }))

  scoped("run answers the work's result; on an idle chat it runs at once, on a busy one after the earlier work", () =>
    Effect.gen(function*() {
      const queue = yield* ChatQueue.make({ concurrency: 4 })
      const log: Array<string> = []
      assert.strictEqual(yield* queue.run("a", Effect.sync(() => log.push("inline"))), 1)
      yield* queue.offer("a", step(log, "a1", 10))
      const second = yield* fork(queue.run("a", Effect.sync(() => log.push("a2") && "answer")))
      yield* TestClock.adjust(Duration.millis(1))
      assert.deepStrictEqual(log, ["inline", "a1+"])
      yield* TestClock.adjust(Duration.millis(10))
      assert.strictEqual(yield* Fiber.join(second), "answer")
      assert.deepStrictEqual(log, ["inline", "a1+", "a1-", "a2"])
      assert.strictEqual((yield* Effect.exit(queue.run("b", Effect.fail("boom"))))._tag, "Failure")
      assert.strictEqual(yield* queue.size, 0)
    }))

  scoped("run counts against the concurrency, and an interrupted run frees its chat", () =>
    Effect.gen(function*() {
      const queue = yield* ChatQueue.make({ concurrency: 1 })
      const log: Array<string> = []
      const blocked = yield* fork(queue.run("a", Effect.andThen(Effect.sync(() => log.push("a1")), Effect.never)))
      yield* TestClock.adjust(Duration.millis(1))
      yield* queue.offer("b", Effect.sync(() => log.push("b1")))
      yield* queue.offer("a", Effect.sync(() => log.push("a2")))
      yield* TestClock.adjust(Duration.millis(1))
      assert.deepStrictEqual(log, ["a1"])
      yield* Fiber.interrupt(blocked)
      yield* TestClock.adjust(Duration.millis(1))
      assert.deepStrictEqual(log, ["a1", "b1", "a2"])
      assert.strictEqual(yield* queue.size, 0)
    }))

  scoped("a failing item is logged and the chat goes on", () =>
    Effect.gen(function*() {
      const queue = yield* ChatQueue.make()
      const done = yield* Deferred.make<string>()
      yield* queue.offer("a", Effect.fail("boom"))
      yield* queue.offer("a", Effect.die("worse"))
      yield* queue.offer("a", Deferred.succeed(done, "after"))
      assert.strictEqual(yield* Deferred.await(done), "after")
    }).pipe(withLogsTo(() => {})))

  it.effect("closing the scope interrupts running and queued work", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const queue = yield* Effect.provideService(ChatQueue.make(), Scope.Scope, scope)
      const log: Array<string> = []
      const started = yield* Deferred.make<void>()
      yield* queue.offer("a", Effect.andThen(Deferred.succeed(started, undefined), Effect.onInterrupt(Effect.never, () => Effect.sync(() => log.push("interrupted")))))
      yield* queue.offer("a", Effect.sync(() => log.push("never runs")))
      yield* Deferred.await(started)
      yield* Scope.close(scope, Exit.void)
      yield* TestClock.adjust(Duration.millis(10))
      assert.deepStrictEqual(log, ["interrupted"])
    }))

  scoped("a chat whose work finished starts a fresh worker for new work", () =>
    Effect.gen(function*() {
      const queue = yield* ChatQueue.make()
      const log: Array<string> = []
      yield* queue.offer("a", Effect.sync(() => log.push("1")))
      yield* TestClock.adjust(Duration.millis(1))
      const second = yield* Deferred.make<void>()
      yield* queue.offer("a", Effect.andThen(Effect.sync(() => log.push("2")), Deferred.succeed(second, undefined)))
      yield* Deferred.await(second)
      assert.deepStrictEqual(log, ["1", "2"])
    }))
})

describe("fromLarkError", () => {
  const api = (code: number) => new LarkApiError({ operation: "im.v1.message.create", code, msg: "m", httpStatus: 400, logId: "log1" })

  const table: ReadonlyArray<readonly [number, string]> = [
    [230001, "format_error"],
    [230099, "format_error"],
    [230011, "target_revoked"],
    [230110, "target_revoked"],
    [230020, "rate_limited"],
    [99991400, "rate_limited"],
    [230002, "permission_denied"],
    [230027, "permission_denied"],
    [99991672, "permission_denied"],
    [123456, "unknown"]
  ]
  for (const [code, expected] of table) {
    it(`${code} → ${expected}`, () => {
      const e = fromLarkError(api(code))
      assert.strictEqual(e.code, expected)
      assert.strictEqual(e.larkCode, code)
      assert.strictEqual(e.logId, "log1")
    })
  }

  it("uploads and downloads fail as such unless it is a limit or a permission", () => {
    assert.strictEqual(fromLarkError(api(234006), "upload").code, "upload_failed")
    assert.strictEqual(fromLarkError(api(230001), "upload").code, "upload_failed")
    assert.strictEqual(fromLarkError(api(99991400), "upload").code, "rate_limited")
    assert.strictEqual(fromLarkError(api(230027), "download").code, "permission_denied")
    assert.strictEqual(fromLarkError(api(1), "download").code, "download_failed")
  })

  it("transport, request and token errors", () => {
    const http = (reason: "Transport" | "Timeout" | "Status", httpStatus?: number) =>
      new LarkHttpError({ operation: "op", reason, detail: "d", httpStatus, maybeApplied: false })
    assert.strictEqual(fromLarkError(http("Timeout")).code, "send_timeout")
    assert.strictEqual(fromLarkError(http("Status", 429)).code, "rate_limited")
    assert.strictEqual(fromLarkError(http("Transport")).code, "unknown")
    assert.strictEqual(fromLarkError(http("Transport"), "upload").code, "upload_failed")
    assert.strictEqual(fromLarkError(new LarkRequestError({ operation: "op", detail: "bad" })).code, "format_error")
    assert.strictEqual(fromLarkError(new LarkTokenError({ kind: "tenant", detail: "no" })).code, "unknown")
  })

  it("is a tagged error with a readable message", () => {
    const e = fromLarkError(api(230011))
    assert.instanceOf(e, ChannelSendError)
    assert.strictEqual(e._tag, "ChannelSendError")
    assert.include(e.message, "target_revoked")
  })
})

describe("checkMediaUrl", () => {
  const refused = (url: string, allowlist: ReadonlyArray<string>) => {
    const r = checkMediaUrl(url, allowlist)
    return isFailure(r) && getFailure(r).code === "ssrf_blocked"
  }

  it("refuses every URL without an allowlist", () => {
    assert.isTrue(refused("https://cdn.example.com/a.png", []))
  })

  it("admits allowlisted hosts, exact or by subdomain wildcard", () => {
    const allow = ["cdn.example.com", "*.images.test"]
    assert.isFalse(isFailure(checkMediaUrl("https://cdn.example.com/a.png", allow)))
    assert.isFalse(isFailure(checkMediaUrl("http://eu.images.test/b.jpg", allow)))
    assert.isTrue(refused("https://images.test/b.jpg", allow))
    assert.isTrue(refused("https://evil-images.test/b.jpg", allow))
    assert.isTrue(refused("https://example.com/a.png", allow))
    assert.isTrue(refused("https://cdn.example.com.evil.test/a.png", allow))
  })

  it("refuses other schemes, credentials and garbage", () => {
    const allow = ["cdn.example.com"]
    assert.isTrue(refused("file:///etc/passwd", allow))
    assert.isTrue(refused("ftp://cdn.example.com/a", allow))
    assert.isTrue(refused("gopher://cdn.example.com/", allow))
    assert.isTrue(refused("https://user:pw@cdn.example.com/a", allow))
    assert.isTrue(refused("not a url", allow))
  })

  it("refuses internal addresses in any spelling unless that exact address is allowlisted", () => {
    const allow = ["*.example.com", "cdn.example.com"]
    for (const url of [
      "http://127.0.0.1/",
      "http://2130706433/",
      "http://0x7f.0.0.1/",
      "http://10.1.2.3/",
      "http://169.254.169.254/latest/meta-data/",
      "http://192.168.0.1/",
      "http://172.16.5.5/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[fd00::1]/",
      "http://[fe80::1]/",
      "http://0.0.0.0/"
    ]) {
      assert.isTrue(refused(url, allow), url)
    }
    assert.isFalse(isFailure(checkMediaUrl("http://10.0.0.7/img.png", ["10.0.0.7"])))
    assert.isFalse(isFailure(checkMediaUrl("http://[::1]:8080/x", ["::1"])))
  })

  it("isInternalAddress for resolved addresses", () => {
    for (const a of ["127.0.0.1", "10.0.0.1", "100.64.0.1", "::1", "fc00::1", "::ffff:192.168.1.1"]) assert.isTrue(isInternalAddress(a), a)
    for (const a of ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "172.32.0.1"]) assert.isFalse(isInternalAddress(a), a)
  })
})
