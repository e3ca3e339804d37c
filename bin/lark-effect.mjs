#!/usr/bin/env node
// The `lark-effect` command: runs the compiled CLI (`npm run build` makes dist/).
import "../dist/src/cli/main.js"
