import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { readFileSync } from "node:fs"
import * as LarkConfig from "../src/LarkConfig.js"
import { VERSION } from "../src/internal/version.js"
import { withVariables } from "./dialect.js"

const configOf = (env: Record<string, string>) =>
  LarkConfig.LarkConfig.pipe(Effect.provide(LarkConfig.layerConfig()), withVariables(env))

describe("LarkConfig", () => {
  it.effect("reads the environment", () =>
    Effect.gen(function*() {
      const config = yield* configOf({
        LARK_APP_ID: "cli_1",
        LARK_APP_SECRET: "s3cret",
        LARK_DOMAIN: "lark",
        LARK_APP_TYPE: "marketplace",
        LARK_ENCRYPT_KEY: "ek",
        LARK_VERIFICATION_TOKEN: "vt"
      })
      assert.strictEqual(config.appId, "cli_1")
      assert.strictEqual(Redacted.value(Option.getOrThrow(config.appSecret)), "s3cret")
      assert.deepStrictEqual(config.domain, { open: "https://open.larksuite.com", accounts: "https://accounts.larksuite.com" })
      assert.strictEqual(config.appType, "marketplace")
      assert.strictEqual(Redacted.value(Option.getOrThrow(config.encryptKey)), "ek")
      assert.strictEqual(Redacted.value(Option.getOrThrow(config.verificationToken)), "vt")
    }))

  it.effect("defaults to Feishu and self-built; a custom base URL serves OAuth too", () =>
    Effect.gen(function*() {
      const feishu = yield* configOf({ LARK_APP_ID: "cli_1", LARK_APP_SECRET: "s" })
      assert.strictEqual(feishu.domain.open, "https://open.feishu.cn")
      assert.strictEqual(feishu.appType, "self_built")
      const custom = yield* configOf({ LARK_APP_ID: "cli_1", LARK_APP_SECRET: "s", LARK_DOMAIN: "http://127.0.0.1:8080/" })
      assert.deepStrictEqual(custom.domain, { open: "http://127.0.0.1:8080", accounts: "http://127.0.0.1:8080" })
    }))

  const failsNaming = (env: Record<string, string>, variable: string) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(configOf(env))
      assert.strictEqual(error._tag, "LarkConfigError")
      assert.strictEqual(error.variable, variable)
    })

  it.effect("a missing LARK_APP_ID is a LarkConfigError naming it", () => failsNaming({ LARK_APP_SECRET: "s" }, "LARK_APP_ID"))
  it.effect("a missing LARK_APP_SECRET is a LarkConfigError naming it", () => failsNaming({ LARK_APP_ID: "cli_1" }, "LARK_APP_SECRET"))
  it.effect("an invalid LARK_DOMAIN is a LarkConfigError naming it", () =>
    failsNaming({ LARK_APP_ID: "cli_1", LARK_APP_SECRET: "s", LARK_DOMAIN: "ftp://example" }, "LARK_DOMAIN"))
  it.effect("an invalid LARK_APP_TYPE is a LarkConfigError naming it", () =>
    failsNaming({ LARK_APP_ID: "cli_1", LARK_APP_SECRET: "s", LARK_APP_TYPE: "robot" }, "LARK_APP_TYPE"))

  it.effect("maxResponseBytes defaults to 128 MiB; a limit that is not a whole number of bytes ≥ 1 is refused", () =>
    Effect.gen(function*() {
      const made = (maxResponseBytes?: number) => LarkConfig.make({ appId: "cli_1", appSecret: Redacted.make("s"), maxResponseBytes })
      assert.strictEqual((yield* made()).maxResponseBytes, 128 * 1024 * 1024)
      assert.strictEqual((yield* made(1)).maxResponseBytes, 1)
      for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const error = yield* Effect.flip(made(bad))
        assert.strictEqual(error.variable, "maxResponseBytes")
      }
    }))

  it.effect("a timeout or refreshAhead that is not a duration, or an accountsUrl that is not a URL, is a LarkConfigError naming it", () =>
    Effect.gen(function*() {
      const made = (options: Partial<LarkConfig.Options>) => Effect.flip(LarkConfig.make({ appId: "cli_1", appSecret: Redacted.make("s"), ...options }))
      const notADuration = "5 secs" as LarkConfig.Options["timeout"]
      assert.strictEqual((yield* made({ timeout: notADuration })).variable, "timeout")
      assert.strictEqual((yield* made({ refreshAhead: notADuration })).variable, "refreshAhead")
      assert.strictEqual((yield* made({ accountsUrl: "accounts.example.com" })).variable, "accountsUrl")
      const config = yield* LarkConfig.make({ appId: "cli_1", appSecret: Redacted.make("s"), accountsUrl: "https://accounts.example.com/" })
      assert.strictEqual(config.domain.accounts, "https://accounts.example.com")
    }))

  it.effect("the secret never shows when the config is printed", () =>
    Effect.gen(function*() {
      const config = yield* configOf({ LARK_APP_ID: "cli_1", LARK_APP_SECRET: "very-secret-value" })
      assert.notInclude(JSON.stringify(config), "very-secret-value")
      assert.notInclude(String(Option.getOrThrow(config.appSecret)), "very-secret-value")
    }))

  it.effect("the User-Agent names the version and a sanitized source tag", () =>
    Effect.gen(function*() {
      const config = yield* LarkConfig.make({ appId: "cli_1", appSecret: Redacted.make("s"), source: "my bot/1.0" })
      assert.strictEqual(config.userAgent, `lark-effect/${VERSION} source/my_bot_1.0`)
    }))

  it("VERSION matches package.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
    assert.strictEqual(VERSION, pkg.version)
  })
})
