/**
 * The shape of `lark-api-catalog/catalog.json` (see its README), and loading it.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** Where the generator reads the catalog unless told otherwise: `../shared/lark-api-catalog` beside the repository. */
export const defaultCatalogDirectory = fileURLToPath(new URL("../../../shared/lark-api-catalog", import.meta.url))

export type CatalogType =
  | { readonly type: "string"; readonly enum?: ReadonlyArray<string>; readonly format?: "int64" }
  | { readonly type: "integer" | "float" | "number" | "boolean" | "file" | "any" | "object" }
  | { readonly type: "array"; readonly items: CatalogType }
  | { readonly type: "map"; readonly values: CatalogType }
  | { readonly type: "union"; readonly of: ReadonlyArray<CatalogType> }
  | { readonly type: "ref"; readonly model: string }

export interface Field {
  readonly name: string
  readonly type: CatalogType
  readonly required: boolean | null
}

export interface QueryParam extends Field {
  readonly is_array: boolean
}

export type TokenKind = "tenant" | "app" | "user"

export interface Api {
  readonly id: string
  readonly resource: string
  readonly method: string
  readonly http_method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
  readonly path: string
  /** The platform's documentation page. */
  readonly doc_url?: string
  /** The API's official short name (`发送消息`). */
  readonly title?: string
  readonly access_tokens: ReadonlyArray<TokenKind> | null
  readonly path_params: ReadonlyArray<Field>
  readonly query_params: ReadonlyArray<QueryParam>
  readonly request_body: null | {
    readonly content_type: "application/json" | "multipart/form-data"
    readonly required: boolean
    readonly fields: ReadonlyArray<Field>
  }
  readonly response: { readonly kind: "json"; readonly data_fields: ReadonlyArray<Field> | null } | { readonly kind: "binary" }
  readonly file_upload: boolean
  readonly file_download: boolean
  readonly paginated: boolean | null
  readonly sdk_names: { readonly node?: string; readonly python?: string }
}

export interface Model {
  readonly fields: ReadonlyArray<Field>
}

export interface EventSpec {
  readonly event_type: string
  readonly version: "p1" | "p2"
  readonly fields: ReadonlyArray<Field>
}

export interface ServiceVersion {
  readonly apis: ReadonlyArray<Api>
  readonly models: Readonly<Record<string, Model>>
  readonly events: ReadonlyArray<EventSpec>
}

export interface Catalog {
  readonly format_version: number | string
  readonly services: Readonly<Record<string, Readonly<Record<string, ServiceVersion>>>>
  /** The legacy ("p1", `event_callback`) events, with their own models. */
  readonly p1_events: { readonly events: ReadonlyArray<EventSpec>; readonly models: Readonly<Record<string, Model>> }
}

export const load = (directory: string): Catalog => {
  const catalog = JSON.parse(readFileSync(join(directory, "catalog.json"), "utf8")) as Catalog
  if (typeof catalog.services !== "object" || catalog.services === null) {
    throw new Error(`${directory}/catalog.json has no "services": is it the API catalog?`)
  }
  return catalog
}

/** Sorted keys: the generator's output must not depend on the catalog's key order. */
export const sortedKeys = <A>(record: Readonly<Record<string, A>>): Array<string> => Object.keys(record).sort()
