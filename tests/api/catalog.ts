/**
 * The API catalog for the tests that check the generated surface against it. CI has `../shared` beside the
 * repository; where it is missing those tests are reported as skipped, with this reason.
 */
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { load, type Catalog } from "../../scripts/codegen/catalog.js"

export const catalogDirectory = fileURLToPath(new URL("../../../shared/lark-api-catalog", import.meta.url))

export const catalogPresent = existsSync(`${catalogDirectory}/catalog.json`)

export const skipReason = catalogPresent ? "" : ` (skipped: no API catalog at ${catalogDirectory})`

export const catalog: Catalog | undefined = catalogPresent ? load(catalogDirectory) : undefined
