/** Soak subject: `im.v1.message.create` on lark-effect's undici wiring (one runtime), at concurrency 64. */
import { make } from "../request/clients/lark-effect.js"
import { drive } from "../request/drive.js"
import { runSubject } from "./subject.js"

const call = await make(process.argv[2]!)
void runSubject((count) => drive(call, count))
