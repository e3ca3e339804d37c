/**
 * `npm run example:send-file`: uploads a file with `im.v1.file.create` (`file_type`, `file_name`, `file`),
 * then sends it as a file message (`msg_type: "file"`, content `{ file_key }`).
 *
 * On the built-in fake Open Platform by default; with `LARK_APP_ID` / `LARK_APP_SECRET` set, on the real
 * one, sending to `LARK_DEMO_RECEIVE_ID` (see examples/README.md).
 */
import { createReadStream } from "node:fs"
import { stat } from "node:fs/promises"
import { basename, extname } from "node:path"
import { Console, Effect } from "effect"
import { im } from "../src/api/im/index.js"
import type { Uploadable } from "../schemas/common.js"
import {
  cannotRead,
  example as defineExample,
  type ExampleSetupError,
  isMain,
  present,
  type Receiver,
  receiver,
  receiverSettings,
  runExample
} from "./run.js"

/** The `file_type`s `im.v1.file.create` takes (`stream` is any other kind of file), read off its payload type. */
export type FileType = Parameters<typeof im.v1.file.create>[0]["data"]["file_type"]

/** `file_type` from the file name's extension. */
export const fileTypeOf = (fileName: string): FileType => {
  switch (extname(fileName).toLowerCase()) {
    case ".opus":
      return "opus"
    case ".mp4":
      return "mp4"
    case ".pdf":
      return "pdf"
    case ".doc":
    case ".docx":
      return "doc"
    case ".xls":
    case ".xlsx":
      return "xls"
    case ".ppt":
    case ".pptx":
      return "ppt"
    default:
      return "stream"
  }
}

/** A file to send: its name, its size (for the log line) and its bytes in any `Uploadable` form. */
export interface FileToSend {
  readonly fileName: string
  readonly size: number
  readonly content: Uploadable
}

/** Uploads `file` and sends it to `to`. */
export const sendFile = (to: Receiver, file: FileToSend) =>
  Effect.gen(function*() {
    const fileType = fileTypeOf(file.fileName)
    const uploaded = yield* im.v1.file.create({
      data: { file_type: fileType, file_name: file.fileName, file: file.content }
    })
    const fileKey = yield* present(uploaded.file_key, "a file_key")
    yield* Console.log(`uploaded ${file.fileName} (${file.size} bytes, file_type ${fileType}) as ${fileKey}`)
    const message = yield* im.v1.message.create({
      params: { receive_id_type: to.receiveIdType },
      data: { receive_id: to.receiveId, msg_type: "file", content: JSON.stringify({ file_key: fileKey }) }
    })
    yield* Console.log(`sent file message ${message.message_id} to chat ${message.chat_id}`)
    return { fileKey, fileType, message }
  })

/** Sent when no file is given. */
export const NOTES = new TextEncoder().encode("Notes from lark-effect.\nThis file was uploaded with im.v1.file.create.\n")

/** The file at `path`, streamed from disk (it is never read whole here), or the built-in notes when `path` is empty. */
export const loadFile = (path: string): Effect.Effect<FileToSend, ExampleSetupError> =>
  path === ""
    ? Effect.succeed({ fileName: "notes.txt", size: NOTES.length, content: NOTES })
    : Effect.tryPromise({
      try: () => stat(path),
      catch: cannotRead("LARK_DEMO_FILE", path)
    }).pipe(Effect.map((stats) => ({ fileName: basename(path), size: stats.size, content: createReadStream(path) })))

export const example = defineExample({
  name: "send-file",
  summary: "uploads a file and sends it in a message",
  settings: {
    ...receiverSettings,
    LARK_DEMO_FILE: { description: "a file to send, at most 30 MB (else a built-in notes.txt)", fake: "", default: "" }
  },
  program: (env) =>
    Effect.gen(function*() {
      const to = yield* receiver(env)
      const file = yield* loadFile(env.LARK_DEMO_FILE)
      return yield* sendFile(to, file)
    })
})

if (isMain(import.meta.url)) void runExample(example)
