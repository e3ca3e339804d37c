import { layer } from "../../../layers/http.js"
import { makeOn } from "./lark-effect.js"

/** lark-effect on its `node:http` wiring (`lark-effect/layers/http`). */
export const make = makeOn(layer)
