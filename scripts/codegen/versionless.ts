/**
 * node-sdk's version-less names: `client.im.message.create` beside `client.im.v1.message.create`. For each
 * service that has them, node-sdk copies the whole of one version to the service itself; which version is a
 * fact read off an instantiated node-sdk client and kept in `versionless.json` (`npm run codegen:versionless`).
 */
import { readFileSync } from "node:fs"

export const BINDINGS_FILE = new URL("./versionless.json", import.meta.url)

/** `versionless.json`: the node-sdk release the facts come from, and each service's bound version. */
export interface Bindings {
  readonly nodeSdk: string
  readonly services: Readonly<Record<string, string>>
}

export const loadBindings = (): Bindings => JSON.parse(readFileSync(BINDINGS_FILE, "utf8")) as Bindings

const isVersion = (key: string) => /^v\d+$/.test(key)

type Tree = Readonly<Record<string, Readonly<Record<string, unknown>>>>

/** `resource.method` of every function under a node-sdk object of resources. */
const methodNames = (resources: Tree, keys: ReadonlyArray<string>): Array<string> =>
  keys.flatMap((resource) => Object.keys(resources[resource] ?? {}).map((method) => `${resource}.${method}`)).sort()

/** A function's source, spacing aside: node-sdk writes the version-less copy with the same text. */
const sourceOf = (fn: unknown) => typeof fn === "function" ? fn.toString().replace(/\s+/g, " ") : undefined

/**
 * The version each service's version-less names stand for, found on a node-sdk `Client`: the one version
 * with exactly the same names whose functions have the same source (the URL in it names the version). A
 * service that matches no version, or several, is an error: the facts would be a guess.
 */
export const bindingsOf = (client: object): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [service, value] of Object.entries(client).sort(([a], [b]) => a.localeCompare(b))) {
    if (typeof value !== "object" || value === null) continue
    const tree = value as Record<string, Tree>
    const versions = Object.keys(tree).filter(isVersion)
    const resources = Object.keys(tree).filter((key) => !isVersion(key))
    if (versions.length === 0 || resources.length === 0) continue
    const names = methodNames(tree as unknown as Tree, resources)
    const matching = versions.filter((version) => {
      const candidate = tree[version]!
      return methodNames(candidate, Object.keys(candidate)).join() === names.join() &&
        names.every((name) => {
          const [resource, method] = name.split(".") as [string, string]
          // node-sdk formats the …WithIterator copies differently (a trailing comma): their names are compared
          return method.endsWith("WithIterator") || sourceOf(tree[resource]![method]) === sourceOf(candidate[resource]![method])
        })
    })
    if (matching.length !== 1) throw new Error(`node-sdk's ${service}: version-less names match ${matching.length} versions`)
    out[service] = matching[0]!
  }
  return out
}
