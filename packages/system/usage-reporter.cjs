// Preloaded (`node --require`) into a child the local runner measures: on 'exit' (which process.exit() also fires)
// it writes VmHWM from /proc/self/status and process.cpuUsage() to $TP0_RSS_FILE as JSON; the child's own code is
// untouched. CommonJS and --require: it also measures older builds (bench:compare) that start from V8 startup
// snapshots, where node ignores --import.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');

process.on('exit', () => {
  try {
    const peak = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
    const cpu = process.cpuUsage();
    writeFileSync(process.env.TP0_RSS_FILE, JSON.stringify({ peakRssKb: Number(peak[1]), cpuMs: (cpu.user + cpu.system) / 1000 }));
  } catch {}
});
