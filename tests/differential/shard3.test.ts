import { differentialSuite } from "./suite.js"

differentialSuite(2)
