/**
 * package.json `exports` for the generated surface: `lark-effect/<service>` for each service, and the
 * pattern `lark-effect/<service>/<version>/<resource>` for each resource module.
 */

const API_PATTERN = "./*"

const entry = (path: string) => ({ types: `./dist/${path}.d.ts`, default: `./dist/${path}.js` })

/**
 * package.json's text with the service entries replaced; hand-written entries are kept, first. A service
 * with no APIs has no module, so it gets no entry.
 */
export const withServiceExports = (packageJson: string, services: ReadonlyArray<string>): string => {
  const manifest = JSON.parse(packageJson) as { exports?: Record<string, unknown> }
  const handWritten = Object.fromEntries(
    Object.entries(manifest.exports ?? {}).filter(([key, value]) => !isGenerated(key, value, services))
  )
  manifest.exports = {
    ...handWritten,
    ...Object.fromEntries(services.map((service) => [`./${service}`, entry(`src/api/${service}/index`)])),
    [API_PATTERN]: entry("src/api/*")
  }
  return `${JSON.stringify(manifest, null, 2)}\n`
}

/** An entry this generator wrote: for a service that still has APIs, or one that no longer does. */
const isGenerated = (key: string, value: unknown, services: ReadonlyArray<string>) =>
  key === API_PATTERN || services.includes(key.slice(2)) ||
  JSON.stringify(value) === JSON.stringify(entry(`src/api/${key.slice(2)}/index`))
