// Preloaded (`node --require`) when /usr/bin/time is missing: reports the peak RSS as `time -f` is told to.
process.on("exit", () => process.stderr.write(`maxrss_kb=${process.resourceUsage().maxRSS}\n`))
