/**
 * The API catalog for the tests that check the generated surface against it. CI has `../shared` beside the
 * repository; where it is missing those tests are reported as skipped, with this reason.
 */
import { existsSync } from "node:fs"
import { defaultCatalogDirectory, load, type Catalog } from "../../scripts/codegen/catalog.js"

/** `../shared/lark-api-catalog` beside the repository (the generator's default, wherever the tests are copied). */
export const catalogDirectory = defaultCatalogDirectory

export const catalogPresent = existsSync(`${catalogDirectory}/catalog.json`)

export const skipReason = catalogPresent ? "" : ` (skipped: no API catalog at ${catalogDirectory})`

export const catalog: Catalog | undefined = catalogPresent ? load(catalogDirectory) : undefined
