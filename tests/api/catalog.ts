/**
 * The API catalog for the tests that check the generated surface against it. CI has `../shared` beside the
 * repository; where it is missing those tests are reported as skipped, with this reason.
 */
import { existsSync } from "node:fs"
import { type Catalog, defaultCatalogDirectory, load } from "../../scripts/codegen/catalog.js"

/** `../shared/lark-api-catalog` beside the repository, as the code generator finds it (the same from the Effect 4 suite). */
export const catalogDirectory = defaultCatalogDirectory

export const catalogPresent = existsSync(`${catalogDirectory}/catalog.json`)

export const skipReason = catalogPresent ? "" : ` (skipped: no API catalog at ${catalogDirectory})`

export const catalog: Catalog | undefined = catalogPresent ? load(catalogDirectory) : undefined
