// @larksuiteoapi/node-sdk: `node node-sdk.cjs <url> [client-only]`: require + new Client, then one message
// unless `client-only` (the 0.21 s / 77 MiB figure).
const lark = require("@larksuiteoapi/node-sdk")

const [url, mode] = process.argv.slice(2)
const client = new lark.Client({ appId: "cli_a1b2c3d4e5f6a7b8", appSecret: "fake_secret", domain: url, loggerLevel: lark.LoggerLevel.error })
if (mode !== "client-only") {
  client.im.message.create({
    params: { receive_id_type: "chat_id" },
    data: { receive_id: "oc_cost", msg_type: "text", content: JSON.stringify({ text: "hi" }) }
  }).then((answer) => {
    if (answer.code !== 0) throw new Error(`node-sdk: code ${answer.code}: ${answer.msg}`)
  })
}
