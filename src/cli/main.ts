/**
 * The `lark-effect` executable on Node: fetch for HTTP (starts fast; a command makes few calls), the Node
 * file system, the `ws` WebSocket for `events`, and `NodeRuntime.runMain`, which turns Ctrl-C (SIGINT) into
 * fiber interruption: a flow stops, the long connection closes, and no request is sent afterwards.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as Runtime from "@effect/platform/Runtime"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as WebSocketLive from "../../layers/ws.js"
import { isInterruptedOnly, warningsOnStandardError } from "../internal/dialect.js"
import { ExitCode } from "./output.js"
import { run } from "./run.js"

const teardown: Runtime.Teardown = (exit, onExit) => {
  if (Exit.isSuccess(exit)) return onExit(typeof exit.value === "number" ? exit.value : ExitCode.ok)
  onExit(isInterruptedOnly(exit.cause) ? ExitCode.cancelled : ExitCode.failed)
}

/** The SDK's own logs: warnings and errors only, on standard error, so that standard output stays JSON. */
const logging = warningsOnStandardError()

run(process.argv.slice(2)).pipe(
  Effect.provide(Layer.mergeAll(FetchHttpClient.layer, NodeFileSystem.layer, WebSocketLive.layer, logging)),
  NodeRuntime.runMain({ teardown })
)
