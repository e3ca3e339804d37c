/**
 * `npm run example:base-app`: creates a Base (bitable app) with `bitable.v1.app.create`, adds a "Tasks"
 * table with typed fields (`bitable.v1.appTable.create`), then two more tables in one call
 * (`bitable.v1.appTable.batchCreate`).
 *
 * On the built-in fake Open Platform by default; with `LARK_APP_ID` / `LARK_APP_SECRET` set, on the real
 * one (the Base then belongs to the app; see examples/README.md).
 */
import { Console, Effect } from "effect"
import { bitable } from "../src/api/bitable/index.js"
import { example as defineExample, isMain, present, runExample } from "./run.js"

/**
 * The field types used here. The catalog types a field's `type` as a plain number, so the names are ours
 * (from the platform's field documentation).
 */
export const FieldType = {
  Text: 1,
  Number: 2,
  SingleSelect: 3,
  DateTime: 5,
  Checkbox: 7
} as const

export interface NewBase {
  readonly name: string
  /** The Drive folder to create it in; the app's own space when undefined. */
  readonly folderToken: string | undefined
}

/** Creates the Base and its tables; answers what the platform gave back. */
export const createBase = ({ folderToken, name }: NewBase) =>
  Effect.gen(function*() {
    const created = yield* bitable.v1.app.create({ data: { name, folder_token: folderToken } })
    const app = yield* present(created.app, "the created app")
    const appToken = yield* present(app.app_token, "an app_token")
    yield* Console.log(`created Base "${app.name}" ${appToken}${app.url ? ` at ${app.url}` : ""}`)
    if (app.default_table_id) yield* Console.log(`  it came with table ${app.default_table_id}`)

    const tasks = yield* bitable.v1.appTable.create({
      path: { app_token: appToken },
      data: {
        table: {
          name: "Tasks",
          default_view_name: "All tasks",
          // the first field is the table's primary field
          fields: [
            { field_name: "Task", type: FieldType.Text },
            {
              field_name: "Status",
              type: FieldType.SingleSelect,
              property: { options: [{ name: "To do" }, { name: "Doing" }, { name: "Done" }] }
            },
            { field_name: "Estimate (h)", type: FieldType.Number, property: { formatter: "0.0" } },
            { field_name: "Due", type: FieldType.DateTime, property: { date_formatter: "yyyy/MM/dd" } },
            { field_name: "Urgent", type: FieldType.Checkbox }
          ]
        }
      }
    })
    yield* Console.log(
      `  created table Tasks ${tasks.table_id} (view ${tasks.default_view_id}, fields ${(tasks.field_id_list ?? []).join(", ")})`
    )

    const more = yield* bitable.v1.appTable.batchCreate({
      path: { app_token: appToken },
      data: { tables: [{ name: "People" }, { name: "Milestones" }] }
    })
    yield* Console.log(`  created tables People and Milestones: ${(more.table_ids ?? []).join(", ")}`)
    return { app, appToken, tasks, tableIds: more.table_ids ?? [] }
  })

export const example = defineExample({
  name: "base-app",
  summary: "creates a Base with three tables",
  settings: {
    LARK_DEMO_BASE_NAME: { description: "the new Base's name", fake: "lark-effect example", default: "lark-effect example" },
    LARK_DEMO_FOLDER_TOKEN: { description: "the Drive folder to create it in (else the app's own space)", fake: "", default: "" }
  },
  program: (env) => createBase({ name: env.LARK_DEMO_BASE_NAME, folderToken: env.LARK_DEMO_FOLDER_TOKEN || undefined })
})

if (isMain(import.meta.url)) void runExample(example)
