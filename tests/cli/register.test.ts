import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as WsLayer from "../../layers/ws.js"
import { flagOf, parseCommandLine, REGISTER_USAGE, USAGE } from "../../src/cli/args.js"
import { envVariables, maskSecret, statusLine, upsertEnv } from "../../src/cli/format.js"
import { getFailure, getSuccess, isFailure } from "../../src/internal/dialect.js"
import { run } from "../../src/cli/run.js"
import * as FakeRegistration from "../../src/testing/FakeRegistration.js"
import { fork } from "../dialect.js"
import { capture } from "./capture.js"

const { Reply } = FakeRegistration

const parsed = (...argv: Array<string>) => {
  const result = parseCommandLine(argv)
  if (isFailure(result)) throw new Error(`unexpected usage error: ${getFailure(result).message}`)
  return getSuccess(result)
}

const usageError = (...argv: Array<string>) => {
  const result = parseCommandLine(argv)
  return isFailure(result) ? getFailure(result).message : undefined
}

describe("CLI arguments -> registerApp options", () => {
  it("maps every flag", () => {
    assert.deepStrictEqual(
      parsed(
        "register",
        "--name", "{user}'s bot",
        "--desc", "Answers questions",
        "--avatar", "https://cdn.example.com/a.png",
        "--avatar", "https://cdn.example.com/b.png?size=1,2",
        "--scope", "im:message:send_as_bot,im:chat:readonly",
        "--scope", "contact:user.base:readonly",
        "--user-scope", "calendar:calendar:read",
        "--event", "im.message.receive_v1",
        "--user-event", "calendar.calendar.event.changed_v4",
        "--callback", "card.action.trigger",
        "--create-only",
        "--app-id", "cli_abc",
        "--lark",
        "--write-env", ".env"
      ),
      {
        _tag: "Register",
        envFile: ".env",
        options: {
          source: "cli",
          domain: "lark",
          appPreset: {
            name: "{user}'s bot",
            desc: "Answers questions",
            // URLs are never split on commas
            avatar: ["https://cdn.example.com/a.png", "https://cdn.example.com/b.png?size=1,2"]
          },
          addons: {
            scopes: { tenant: ["im:message:send_as_bot", "im:chat:readonly", "contact:user.base:readonly"], user: ["calendar:calendar:read"] },
            events: { items: { tenant: ["im.message.receive_v1"], user: ["calendar.calendar.event.changed_v4"] } },
            callbacks: { items: ["card.action.trigger"] }
          },
          createOnly: true,
          appId: "cli_abc"
        }
      }
    )
  })

  it("sends only what was asked: no preset, addons, createOnly or domain by default", () => {
    assert.deepStrictEqual(parsed("register"), { _tag: "Register", envFile: undefined, options: { source: "cli" } })
    assert.deepStrictEqual(parsed("register", "--event", "im.message.receive_v1"), {
      _tag: "Register",
      envFile: undefined,
      options: { source: "cli", addons: { events: { items: { tenant: ["im.message.receive_v1"] } } } }
    })
    assert.deepStrictEqual(parsed("register", "--domain", "http://127.0.0.1:9"), {
      _tag: "Register",
      envFile: undefined,
      options: { source: "cli", domain: "http://127.0.0.1:9" }
    })
  })

  it("help, and clear usage errors", () => {
    assert.deepStrictEqual(parsed(), { _tag: "Help", usage: USAGE })
    assert.deepStrictEqual(parsed("register", "--help"), { _tag: "Help", usage: REGISTER_USAGE })
    assert.deepStrictEqual(parsed("register", "-h"), { _tag: "Help", usage: REGISTER_USAGE })
    assert.match(usageError("register", "--nmae", "x")!, /Unknown option '--nmae'/)
    assert.match(usageError("register", "--name")!, /--name/)
    assert.match(usageError("register", "extra")!, /extra/)
    assert.match(usageError("regster")!, /unknown command "regster"/)
    assert.match(usageError("register", "--lark", "--domain", "x")!, /exclude/)
    assert.match(usageError("register", "--write-env", " ")!, /--write-env/)
  })

  it("names the flag behind an option error", () => {
    assert.strictEqual(flagOf("appPreset.avatar"), "--avatar")
    assert.strictEqual(flagOf("appPreset.avatar[3]"), "--avatar")
    assert.strictEqual(flagOf("addons.scopes.user[0]"), "--user-scope")
    assert.strictEqual(flagOf("appId"), "--app-id")
  })
})

describe("CLI output", () => {
  it("masks the secret: 4 + 4 characters of a long one, nothing of a short one", () => {
    assert.strictEqual(maskSecret("Xq7LpT2vNw9RkE4sYb6HcJ1mUz8DaF3g"), "Xq7L************************aF3g")
    assert.strictEqual(maskSecret("short-secret"), "************")
  })

  it("prints repeated polling once; slow_down and the Lark switch each time", () => {
    assert.strictEqual(statusLine({ status: "polling" }, undefined), "Waiting for you to confirm in the app...")
    assert.isUndefined(statusLine({ status: "polling" }, "polling"))
    assert.match(statusLine({ status: "slow_down", interval: 10 }, "polling")!, /every 10 s/)
    assert.isString(statusLine({ status: "polling" }, "slow_down"))
    assert.match(statusLine({ status: "domain_switched" }, "polling")!, /Lark/)
  })

  it("updates a .env file in place and appends what is missing", () => {
    const app = { clientId: "cli_new", clientSecret: Redacted.make("sec"), userInfo: { tenant_brand: "lark" as const } }
    const variables = envVariables(app, "sec")
    assert.deepStrictEqual(variables, [["LARK_APP_ID", "cli_new"], ["LARK_APP_SECRET", "sec"], ["LARK_DOMAIN", "lark"]])
    assert.strictEqual(
      upsertEnv("# my bot\nPORT=3000\nexport LARK_APP_ID=cli_old\nLARK_APP_SECRET = old\n", variables),
      "# my bot\nPORT=3000\nLARK_APP_ID=cli_new\nLARK_APP_SECRET=sec\nLARK_DOMAIN=lark\n"
    )
    assert.strictEqual(upsertEnv("", variables.slice(0, 2)), "LARK_APP_ID=cli_new\nLARK_APP_SECRET=sec\n")
    assert.deepStrictEqual(envVariables({ clientId: "cli_x", clientSecret: Redacted.make("s") }, "s").length, 2)
  })
})

const cliLayer = Layer.mergeAll(FakeRegistration.layer(), NodeFileSystem.layer, WsLayer.layer)

describe("lark-effect register against the in-process fake (TestClock)", () => {
  it.effect("prints the QR code, the link and statuses, masks the secret, and writes the .env file when asked", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      yield* fake.program("poll", Reply.pending(), Reply.pending(), Reply.success({ clientId: "cli_cli", clientSecret: "Xq7LpT2vNw9RkE4sYb6HcJ1mUz8DaF3g" }))
      const envFile = join(mkdtempSync(join(tmpdir(), "lark-effect-cli-")), ".env")
      writeFileSync(envFile, "PORT=3000\n")
      const { output, text } = capture()
      const fiber = yield* fork(run(["register", "--name", "Bot", "--write-env", envFile], output))
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(yield* Fiber.join(fiber), 0)
      const printed = text()
      assert.include(printed, "Scan this QR code")
      assert.match(printed, /[▀▄█]/) // the terminal QR code
      assert.include(printed, "Or open this link: https://accounts.feishu.invalid/page/launcher?user_code=FAKE-0001&from=sdk&tp=sdk&source=lark-effect%2Fcli&name=Bot")
      assert.strictEqual(printed.split("Waiting for you to confirm").length - 1, 1)
      assert.include(printed, "App ID:     cli_cli")
      assert.include(printed, "App Secret: Xq7L************************aF3g")
      assert.notInclude(printed, "Xq7LpT2vNw9RkE4sYb6HcJ1mUz8DaF3g")
      assert.strictEqual(readFileSync(envFile, "utf8"), "PORT=3000\nLARK_APP_ID=cli_cli\nLARK_APP_SECRET=Xq7LpT2vNw9RkE4sYb6HcJ1mUz8DaF3g\nLARK_DOMAIN=feishu\n")
    }).pipe(Effect.provide(cliLayer)))

  it.effect("writes no file without --write-env; a new file is readable by its owner only", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      yield* fake.program("poll", Reply.success(), Reply.success())
      const { output, text } = capture()
      assert.strictEqual(yield* run(["register"], output), 0)
      assert.include(text(), "Pass --write-env")
      const envFile = join(mkdtempSync(join(tmpdir(), "lark-effect-cli-")), "new.env")
      assert.strictEqual(yield* run(["register", "--write-env", envFile], output), 0)
      assert.strictEqual(statSync(envFile).mode & 0o777, 0o600)
    }).pipe(Effect.provide(cliLayer)))

  it.effect("a .env file that cannot be written: the App ID and masked secret are still printed, and the app is said to exist", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      yield* fake.program("poll", Reply.success({ clientId: "cli_unsaved", clientSecret: "Xq7LpT2vNw9RkE4sYb6HcJ1mUz8DaF3g" }))
      const envFile = join(mkdtempSync(join(tmpdir(), "lark-effect-cli-")), "missing", ".env")
      const { output, lines, out, text } = capture()
      assert.strictEqual(yield* run(["register", "--write-env", envFile], output), 1)
      assert.include(out(), "  App ID:     cli_unsaved")
      assert.include(out(), "  App Secret: Xq7L************************aF3g")
      assert.notInclude(text(), "Xq7LpT2vNw9RkE4sYb6HcJ1mUz8DaF3g")
      assert.notInclude(text(), "Saved LARK_APP_ID")
      const error = lines.at(-1)!
      assert.match(error, /^ERR The app was created \(App ID cli_unsaved\), but its credentials could not be written to /)
      assert.include(error, envFile)
    }).pipe(Effect.provide(cliLayer)))

  it.effect("an existing .env file readable by others ends up readable by its owner only, its other lines kept", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      yield* fake.program("poll", Reply.success({ clientId: "cli_mode", clientSecret: "Xq7LpT2vNw9RkE4sYb6HcJ1mUz8DaF3g" }))
      const directory = mkdtempSync(join(tmpdir(), "lark-effect-cli-"))
      const envFile = join(directory, ".env")
      writeFileSync(envFile, "PORT=1\nLARK_APP_SECRET=old\n")
      chmodSync(envFile, 0o644)
      const { output } = capture()
      assert.strictEqual(yield* run(["register", "--write-env", envFile], output), 0)
      assert.strictEqual(statSync(envFile).mode & 0o077, 0)
      assert.strictEqual(statSync(envFile).mode & 0o777, 0o600)
      assert.strictEqual(readFileSync(envFile, "utf8"), "PORT=1\nLARK_APP_SECRET=Xq7LpT2vNw9RkE4sYb6HcJ1mUz8DaF3g\nLARK_APP_ID=cli_mode\nLARK_DOMAIN=feishu\n")
      assert.deepStrictEqual(readdirSync(directory), [".env"]) // no temporary file left behind
    }).pipe(Effect.provide(cliLayer)))

  it.effect("bad flags or options: exit code 2, a message, no request", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      const { output, lines } = capture()
      assert.strictEqual(yield* run(["register", "--nmae", "x"], output), 2)
      const sevenAvatars = Array.from({ length: 7 }, (_, i) => ["--avatar", `https://x/${i}.png`]).flat()
      assert.strictEqual(yield* run(["register", ...sevenAvatars], output), 2)
      assert.strictEqual(yield* run(["register", "--app-id", ""], output), 2)
      assert.match(lines[0]!, /^ERR lark-effect: Unknown option '--nmae'/)
      assert.match(lines[1]!, /^ERR lark-effect: --avatar: supports at most 6 URLs, got 7/)
      assert.match(lines[2]!, /^ERR lark-effect: --app-id: must be a non-empty string/)
      assert.deepStrictEqual(yield* fake.calls, [])
    }).pipe(Effect.provide(cliLayer)))

  it.effect("a refusal exits with 1 and says so", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      yield* fake.program("poll", Reply.denied())
      const { output, lines } = capture()
      assert.strictEqual(yield* run(["register"], output), 1)
      assert.strictEqual(lines.at(-1), "ERR The request was declined in the app. No app was created.")
    }).pipe(Effect.provide(cliLayer)))

  it.effect("interruption (Ctrl-C) says it was cancelled and sends nothing more", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      const { output, lines } = capture()
      const fiber = yield* fork(run(["register"], output))
      yield* TestClock.adjust("6 seconds")
      yield* Fiber.interrupt(fiber)
      const sent = (yield* fake.calls).length
      yield* TestClock.adjust("5 minutes")
      assert.strictEqual((yield* fake.calls).length, sent)
      assert.match(lines.at(-1)!, /^ERR \nCancelled before the registration finished\./)
    }).pipe(Effect.provide(cliLayer)))

  it.effect("interruption after the app was created says it was created, with its ID", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      yield* fake.program("poll", Reply.success({ clientId: "cli_made", clientSecret: "Xq7LpT2vNw9RkE4sYb6HcJ1mUz8DaF3g" }))
      const { output, lines } = capture()
      const printing = yield* Deferred.make<void>()
      // the terminal stalls on the first line that shows the app
      const stalled = { ...output, out: (line: string) => line.includes("cli_made") ? Effect.andThen(Deferred.succeed(printing, undefined), Effect.never) : output.out(line) }
      const fiber = yield* fork(run(["register", "--write-env", "/nonexistent/.env"], stalled))
      yield* Deferred.await(printing)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(
        lines.at(-1),
        "ERR \nCancelled, but the app was created (App ID cli_made). Its credentials may not have been written to /nonexistent/.env. The App Secret is in the developer console."
      )
      assert.notInclude(lines.join("\n"), "Xq7LpT2vNw9RkE4sYb6HcJ1mUz8DaF3g")
    }).pipe(Effect.provide(cliLayer)))
})
