/**
 * `npm run example:department-users`: lists every user directly under a department, across all pages,
 * with `contact.v3.user.findByDepartmentStream` (a `Stream` that follows `page_token` for you).
 *
 * On the built-in fake Open Platform by default (5 seeded users, 2 a page: 3 pages); with `LARK_APP_ID` /
 * `LARK_APP_SECRET` set, on the real one, listing `LARK_DEMO_DEPARTMENT_ID` (the root department unless
 * set; see examples/README.md).
 */
import { Console, Effect, Stream } from "effect"
import { contact } from "../src/api/contact/index.js"
import { example as defineExample, isMain, oneOf, runExample, wholeNumber } from "./run.js"

export const departmentIdTypes = ["open_department_id", "department_id"] as const

export interface Department {
  readonly departmentId: string
  readonly departmentIdType: (typeof departmentIdTypes)[number]
}

/** Every user directly under `department`, printed as they arrive, fetched `pageSize` at a time. */
export const departmentUsers = (department: Department, pageSize: number) =>
  Effect.gen(function*() {
    yield* Console.log(`users in department ${department.departmentId} (${pageSize} a page):`)
    const users = yield* contact.v3.user.findByDepartmentStream({
      params: {
        department_id: department.departmentId,
        department_id_type: department.departmentIdType,
        user_id_type: "open_id",
        page_size: pageSize
      }
    }).pipe(
      Stream.tap((user) => Console.log(`  ${user.open_id ?? "(no open_id)"}  ${user.name ?? "(name not visible to this app)"}`)),
      Stream.runCollect
    )
    yield* Console.log(`${users.length} users`)
    return Array.from(users) // a Chunk on Effect 3, an array on Effect 4
  })

export const example = defineExample({
  name: "department-users",
  summary: "lists every user in a department, page after page",
  settings: {
    LARK_DEMO_DEPARTMENT_ID: { description: "the department to list (0 is the root department)", fake: "od_demo", default: "0" },
    LARK_DEMO_DEPARTMENT_ID_TYPE: {
      description: `what kind of id LARK_DEMO_DEPARTMENT_ID is: ${departmentIdTypes.join(", ")}`,
      fake: "open_department_id",
      default: "open_department_id"
    },
    LARK_DEMO_PAGE_SIZE: { description: "users per page, 1 to 50", fake: "2", default: "2" }
  },
  // 5 users, 2 a page: three pages, the last one short
  fake: { departmentUsers: 5 },
  program: (env) =>
    Effect.gen(function*() {
      const departmentIdType = yield* oneOf("LARK_DEMO_DEPARTMENT_ID_TYPE", env.LARK_DEMO_DEPARTMENT_ID_TYPE, departmentIdTypes)
      const pageSize = yield* wholeNumber("LARK_DEMO_PAGE_SIZE", env.LARK_DEMO_PAGE_SIZE, 1, 50)
      return yield* departmentUsers({ departmentId: env.LARK_DEMO_DEPARTMENT_ID, departmentIdType }, pageSize)
    })
})

if (isMain(import.meta.url)) void runExample(example)
