/**
 * The lark-effect client of `bench/ws` (`connect.ts`). `run.ts` runs it on the built package and as an esbuild
 * bundle (`../shared/bundle.ts`).
 */
import { runClient } from "./client.js"
import { connect } from "./connect.js"

void runClient(connect)
