/**
 * Soak subject: a `LongConnection` on the subject's clock to the fake server (its URL the argument), which
 * pushes the frames.
 */
import { connect } from "../ws/connect.js"
import { clock, runSubject } from "./subject.js"

await connect(process.argv[2]!, clock)
void runSubject()
