/**
 * The `lark-effect` executable on Node: fetch for HTTP, the Node file system for `--write-env`, and
 * `NodeRuntime.runMain`, which turns Ctrl-C (SIGINT) into fiber interruption: the flow stops and no
 * request is sent afterwards.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as Runtime from "@effect/platform/Runtime"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { ExitCode, run } from "./register.js"

const teardown: Runtime.Teardown = (exit, onExit) => {
  if (Exit.isSuccess(exit)) return onExit(typeof exit.value === "number" ? exit.value : ExitCode.ok)
  onExit(Cause.isInterruptedOnly(exit.cause) ? ExitCode.cancelled : ExitCode.failed)
}

run(process.argv.slice(2)).pipe(
  Effect.provide(Layer.merge(FetchHttpClient.layer, NodeFileSystem.layer)),
  NodeRuntime.runMain({ teardown })
)
