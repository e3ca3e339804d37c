import * as Http from "node:http"
import { APP, type Call, MESSAGE } from "../protocol.js"

interface Envelope {
  readonly code: number
  readonly msg?: string
  readonly tenant_access_token?: string
}

/** One keep-alive agent, as every node:http client that reuses connections has (axios under node-sdk, `layers/http`). */
const agent = new Http.Agent({ keepAlive: true })

const post = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Envelope> =>
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

/** The floor of a node:http client: one token fetched up front, then a bare POST and JSON read per call. */
export const make = async (url: string): Promise<Call> => {
  const { tenant_access_token } = await post(`${url}/open-apis/auth/v3/tenant_access_token/internal`, {
    app_id: APP.appId,
    app_secret: APP.appSecret
  })
  const authorization = `Bearer ${tenant_access_token}`
  const endpoint = `${url}/open-apis/im/v1/messages?receive_id_type=${MESSAGE.params.receive_id_type}`
  return async () => void (await post(endpoint, MESSAGE.data, { authorization }))
}
