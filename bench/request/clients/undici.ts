import { request } from "undici"
import { APP, type Call, MESSAGE } from "../protocol.js"

interface Envelope {
  readonly code: number
  readonly msg?: string
  readonly tenant_access_token?: string
}

const post = async (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Envelope> => {
  const answer = await request(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(body)
  })
  const envelope = (await answer.body.json()) as Envelope
  if (envelope.code !== 0) throw new Error(`undici: ${url}: code ${envelope.code}: ${envelope.msg}`)
  return envelope
}

/** The floor: one token fetched up front, then a bare POST and JSON read per call. */
export const make = async (url: string): Promise<Call> => {
  const { tenant_access_token } = await post(`${url}/open-apis/auth/v3/tenant_access_token/internal`, {
    app_id: APP.appId,
    app_secret: APP.appSecret
  })
  const authorization = `Bearer ${tenant_access_token}`
  const endpoint = `${url}/open-apis/im/v1/messages?receive_id_type=${MESSAGE.params.receive_id_type}`
  return async () => void (await post(endpoint, MESSAGE.data, { authorization }))
}
