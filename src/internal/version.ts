/** The package version, sent in the User-Agent. A test keeps it equal to package.json's. */
export const VERSION = "0.1.0"

/** The User-Agent of every request the SDK sends: `lark-effect/<version>`, with `source/<tag>` when given. */
export const userAgent = (source?: string | undefined): string =>
  source === undefined || source === ""
    ? `lark-effect/${VERSION}`
    : `lark-effect/${VERSION} source/${source.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64)}`
