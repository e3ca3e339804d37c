/**
 * The `receive_id_type` of a recipient, guessed from the id's shape (spec B5): an `@` means an email
 * (checked first, as the Python SDK does), then the prefixes `oc_` (chat), `ou_` (open id), `on_` (union
 * id); anything else is a tenant user id. An explicit type always wins.
 */
export type ReceiveIdType = "chat_id" | "open_id" | "union_id" | "user_id" | "email"

const PREFIXES: ReadonlyArray<readonly [string, ReceiveIdType]> = [
  ["oc_", "chat_id"],
  ["ou_", "open_id"],
  ["on_", "union_id"]
]

/** Guesses the id type of `to` unless `override` is given. An empty id is a chat id, as in Python. */
export const inferReceiveIdType = (to: string, override?: ReceiveIdType): ReceiveIdType => {
  if (override !== undefined) return override
  const id = to.trim()
  if (id === "") return "chat_id"
  if (id.includes("@")) return "email"
  return PREFIXES.find(([prefix]) => id.startsWith(prefix))?.[1] ?? "user_id"
}
