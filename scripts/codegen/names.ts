/**
 * Names in the generated code: the node SDK's camelCase resource and method names, PascalCase schema names.
 */
import type { Api } from "./catalog.js"

export const camelCase = (name: string): string =>
  name.replace(/[_.\-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^[A-Z]/, (c) => c.toLowerCase())

export const pascalCase = (name: string): string => {
  const camel = camelCase(name)
  return camel.charAt(0).toUpperCase() + camel.slice(1)
}

/** `{ resource, method }` as the node SDK exposes them (`appTableRecord`, `batchCreate`). */
export const nodeNames = (api: Api): { readonly resource: string; readonly method: string } => {
  const node = api.sdk_names.node
  if (node !== undefined) {
    const dot = node.lastIndexOf(".")
    return { resource: node.slice(0, dot), method: node.slice(dot + 1) }
  }
  // python-only APIs: derive the same shape from the platform names
  return { resource: camelCase(api.resource), method: camelCase(api.method) }
}

const reserved = new Set([
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
  "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
  "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
  "let", "static", "implements", "interface", "package", "private", "protected", "public", "await"
])

/** A local binding for an exported name that may be a reserved word (`delete` is exported as `delete_`'s alias). */
export const localName = (name: string): string => reserved.has(name) ? `${name}_` : name

/** A property key: quoted when it is not a plain identifier. */
export const propertyKey = (name: string): string => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name)
