/**
 * Test wiring: the SDK on `MockHttp`, and the fake Open Platform on a Node HTTP server.
 */
import { createServer } from "node:http"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as LarkConfig from "../src/LarkConfig.js"
import * as FakeOpenPlatform from "../src/testing/FakeOpenPlatform.js"
import * as MockHttp from "../src/testing/MockHttp.js"

/** A test app's config (`cli_test`) with `MockHttp` as the transport: provides `LarkConfig`, `HttpClient`, `MockHttp`. */
export const layerTest = (
  routes: ReadonlyArray<MockHttp.Route>,
  options: Partial<LarkConfig.Options> = {}
) =>
  Layer.merge(
    LarkConfig.layer({ appId: "cli_test", appSecret: Redacted.make("test-secret"), ...options }),
    MockHttp.layer(routes)
  )

/** The fake Open Platform on 127.0.0.1, on a free port (read it from `FakeOpenPlatform.url`). */
export const fakeOpenPlatform = (
  options?: FakeOpenPlatform.FakeOpenPlatform.Options
): Layer.Layer<FakeOpenPlatform.FakeOpenPlatform> =>
  FakeOpenPlatform.layer(options).pipe(
    Layer.provide(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
    // binding an ephemeral loopback port only fails when the machine is broken: a defect, not an error
    Layer.orDie
  )
export * as FakeLongConnection from "../src/testing/FakeLongConnection.js"
export * as FakeChat from "../src/testing/FakeChat.js"
