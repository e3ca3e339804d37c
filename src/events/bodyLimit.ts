/**
 * The size limit of webhook bodies: every entry (`handle`, `handleCardAction`) and adapter (`eventListener`,
 * `EventHttp`) refuses a body over its `maxBodySize` with 413, and the adapters stop reading there.
 *
 * @internal
 */

/**
 * The default `maxBodySize`: 1 MiB, far above any event or callback the platform sends (a message event
 * with a long text is a few tens of KiB).
 */
export const DEFAULT_MAX_BODY_SIZE = 1024 * 1024

/** `maxBodySize`, or the default; throws `RangeError` unless it is a positive whole number of bytes. */
export const bodyLimit = (maxBodySize: number | undefined): number => {
  const limit = maxBodySize ?? DEFAULT_MAX_BODY_SIZE
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new RangeError(`maxBodySize must be a positive whole number of bytes, got ${maxBodySize}`)
  }
  return limit
}
