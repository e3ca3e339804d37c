import { request } from "undici"
import { type Envelope, floorOn, type Post } from "./floor.js"

const post: Post = async (url, body, headers = {}) => {
  const answer = await request(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(body)
  })
  const envelope = (await answer.body.json()) as Envelope
  if (envelope.code !== 0) throw new Error(`undici: ${url}: code ${envelope.code}: ${envelope.msg}`)
  return envelope
}

/** The floor of `lark-effect/layers`: `undici.request`. */
export const make = floorOn(post)
