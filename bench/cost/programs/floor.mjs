// The floor: Effect's runtime and the undici HttpClient that lark-effect's layers use, and nothing else.
// Deep imports, as the figure (about 0.40 s, 92 MiB) was taken; floor-barrel.mjs imports the indexes.
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"

await Effect.runPromise(Effect.asVoid(HttpClient.HttpClient).pipe(Effect.provide(NodeHttpClient.layerUndici)))
