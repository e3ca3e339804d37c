/**
 * What the suite calls: every catalog API that node-sdk has, by its versioned name under every seed, and
 * every version-less name node-sdk offers for one (`im.message.create` for `im.v1.message.create`);
 * split by service into shards that vitest runs side by side.
 */
import type { Api, Catalog } from "../../scripts/codegen/catalog.js"
import type { Case } from "./compare.js"
import { SEEDS } from "./payloads.js"

/** A catalog API node-sdk can call, under the name it gives it there. */
export interface Named {
  readonly service: string
  readonly version: string
  readonly api: Api
  readonly resource: string
  readonly method: string
}

export const nodeApis = (catalog: Catalog): Array<Named> =>
  Object.keys(catalog.services).sort().flatMap((service) =>
    Object.keys(catalog.services[service]!).sort().flatMap((version) =>
      catalog.services[service]![version]!.apis.flatMap((api) => {
        const node = api.sdk_names.node
        if (node === undefined) return []
        const dot = node.lastIndexOf(".")
        return [{ service, version, api, resource: node.slice(0, dot), method: node.slice(dot + 1) }]
      })
    )
  )

const sourceOf = (fn: unknown) => typeof fn === "function" ? fn.toString().replace(/\s+/g, " ") : undefined

/**
 * The versioned API each version-less name of the node client stands for. The node SDK copies one
 * version's functions to the service itself; the copy is told by its source, which is the same text.
 */
export const versionlessOf = (apis: ReadonlyArray<Named>, client: unknown): Map<Named, ReadonlyArray<string>> => {
  const out = new Map<Named, ReadonlyArray<string>>()
  const root = client as Record<string, Record<string, Record<string, Record<string, unknown>>>>
  for (const named of apis) {
    const { method, resource, service, version } = named
    const versionless = sourceOf(root[service]?.[resource]?.[method])
    if (versionless !== undefined && versionless === sourceOf(root[service]?.[version]?.[resource]?.[method])) {
      out.set(named, [service, resource, method])
    }
  }
  return out
}

export const casesOf = (
  named: Named,
  name: ReadonlyArray<string>,
  catalog: Catalog,
  seeds: ReadonlyArray<number> = SEEDS
): Array<Case> =>
  seeds.map((seed) => ({ api: named.api, models: catalog.services[named.service]![named.version]!.models, name, seed }))

/** Services dealt to `count` shards, the largest first onto the lightest shard, so shards take about as long. */
export const shards = (apis: ReadonlyArray<Named>, count: number): Array<Set<string>> => {
  const sizes = new Map<string, number>()
  for (const { service } of apis) sizes.set(service, (sizes.get(service) ?? 0) + 1)
  const out = Array.from({ length: count }, () => ({ services: new Set<string>(), size: 0 }))
  for (const [service, size] of [...sizes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    const lightest = out.reduce((min, shard) => shard.size < min.size ? shard : min)
    lightest.services.add(service)
    lightest.size += size
  }
  return out.map((shard) => shard.services)
}
