// floor.mjs through the packages' index modules, which load every module of each package.
import { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect } from "effect"

await Effect.runPromise(Effect.asVoid(HttpClient.HttpClient).pipe(Effect.provide(NodeHttpClient.layerUndici)))
