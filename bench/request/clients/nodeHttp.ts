import * as Http from "node:http"
import { type Envelope, floorOn, type Post } from "./floor.js"

/** One keep-alive agent, as every node:http client that reuses connections has (axios under node-sdk, `layers/http`). */
const agent = new Http.Agent({ keepAlive: true })

const post: Post = (url, body, headers = {}) =>
  new Promise((resolve, reject) => {
    const payload = JSON.stringify(body)
    const request = Http.request(url, {
      agent,
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
    }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.once("end", () => {
        try {
          const envelope = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Envelope
          if (envelope.code !== 0) throw new Error(`node:http: ${url}: code ${envelope.code}: ${envelope.msg}`)
          resolve(envelope)
        } catch (error) {
          reject(error)
        }
      })
      response.once("error", reject)
    })
    request.once("error", reject)
    request.end(payload)
  })

/** The floor of `lark-effect/layers/http`: a bare node:http request on a keep-alive agent. */
export const make = floorOn(post)
