/**
 * The body of an answer that holds secrets, fit to keep in a `LarkDecodeError`: its shape, numbers, booleans
 * and nulls, with every string masked (any string may be a token, under whatever name the answer gives it).
 * A body that is not JSON is masked whole.
 */
const MASK = "<redacted>"

const mask = (value: unknown): unknown => {
  if (typeof value === "string") return MASK
  if (Array.isArray(value)) return value.map(mask)
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, mask(field)]))
  }
  return value
}

export const maskedBody = (text: string): string => {
  try {
    return JSON.stringify(mask(JSON.parse(text)))
  } catch {
    return MASK
  }
}
