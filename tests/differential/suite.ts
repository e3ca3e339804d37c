/**
 * The differential suite, one shard of it: every catalog API of the shard's services that node-sdk can
 * call, by its versioned name and by its version-less name where node-sdk has one, under every seed,
 * through node-sdk and lark-effect against one recording server. Only the differences listed in
 * `allowed.ts` may remain, and each of those must still be needed.
 */
import { assert, describe } from "@effect/vitest"
import { Effect } from "effect"
import { catalog, catalogPresent, skipReason } from "../api/catalog.js"
import { scopedLive } from "../dialect.js"
import { judge, type Rule } from "./allowed.js"
import { casesOf, nodeApis, shards, versionlessOf } from "./cases.js"
import { actsAsUser, compareAll, type Difference } from "./compare.js"
import { SEEDS } from "./payloads.js"
import { recorder } from "./recorder.js"
import { effectLayer, effectSide, nodeSide } from "./sides.js"

/** As many as there are test files `shard<n>.test.ts`, which vitest runs side by side. */
export const SHARDS = 4

/** Calls in flight at once in one shard. */
const CONCURRENCY = 32

const shown = (value: unknown) => {
  const text = JSON.stringify(value)
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}

/** One line per API and aspect, with the first seed's values. */
const report = (differences: ReadonlyArray<Difference>) => {
  const first = new Map<string, Difference>()
  for (const difference of differences) {
    const key = `${difference.name.join(".")} ${difference.aspect}`
    if (!first.has(key)) first.set(key, difference)
  }
  return [...first].map(([key, { effect, node, seed }]) =>
    `${key} (seed ${seed}): node-sdk ${shown(node)} / lark-effect ${shown(effect)}`
  ).join("\n")
}

const stale = (rules: ReadonlyArray<Rule>) => rules.map((rule) => `${rule.id}: ${rule.what}`).join("\n")

export const differentialSuite = (shard: number) =>
  describe(`node-sdk and lark-effect send the same requests, shard ${shard + 1} of ${SHARDS}`, () => {
    scopedLive(`every API and version-less name of the shard's services${skipReason}`, () =>
      Effect.gen(function*() {
        if (!catalogPresent) return
        const all = nodeApis(catalog!)
        const services = shards(all, SHARDS)[shard]!
        const apis = all.filter((named) => services.has(named.service))
        assert.isAbove(apis.length, 100)

        const server = yield* recorder
        const node = nodeSide(server.url)
        const modules: Record<string, unknown> = {}
        for (const service of services) {
          const module = yield* Effect.promise(() => import(`../../src/api/${service}/index.ts`))
          modules[service] = module[service]
        }
        const versioned = apis.flatMap((named) =>
          casesOf(named, [named.service, named.version, named.resource, named.method], catalog!)
        )
        // a version-less name routes to the versioned API's function: one seed, the fullest, checks the routing
        const versionless = [...versionlessOf(apis, node.client)].flatMap(([named, name]) => casesOf(named, name, catalog!, [SEEDS[0]]))
        const cases = [...versioned, ...versionless]
        for (const { name } of cases) assert.isTrue(node.has(name), `node-sdk has no ${name.join(".")}`)

        const { differences, nodeTokens } = yield* compareAll(cases, { node, effect: effectSide(modules) }, server, CONCURRENCY).pipe(
          Effect.provide(effectLayer(server.url))
        )
        // the recording server's tokens reached node-sdk: tenant, and user where the API takes only a user
        assert.deepStrictEqual(Object.keys(nodeTokens).filter((kind) => kind !== "tenant" && kind !== "user"), [])
        assert.isAbove(nodeTokens.tenant ?? 0, 0)
        assert.strictEqual((nodeTokens.user ?? 0) > 0, cases.some((subject) => actsAsUser(subject.api)))

        const { unexplained, unneeded } = judge(cases, differences)
        assert.isEmpty(unexplained, `differences that no entry of allowed.ts explains:\n${report(unexplained)}`)
        assert.isEmpty(unneeded, `entries of allowed.ts that no call needs any more (remove them):\n${stale(unneeded)}`)
      }), 120_000)
  })
