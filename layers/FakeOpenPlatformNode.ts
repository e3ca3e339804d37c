/**
 * The fake Open Platform on a Node HTTP server bound to 127.0.0.1 on a free port.
 */
import { createServer } from "node:http"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Layer from "effect/Layer"
import * as FakeOpenPlatform from "../src/testing/FakeOpenPlatform.js"

export const layer = (
  options?: FakeOpenPlatform.FakeOpenPlatform.Options
): Layer.Layer<FakeOpenPlatform.FakeOpenPlatform> =>
  FakeOpenPlatform.layer(options).pipe(
    Layer.provide(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
    // binding an ephemeral loopback port only fails when the machine is broken: a defect, not an error
    Layer.orDie
  )
