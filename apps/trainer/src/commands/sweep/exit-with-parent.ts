// Loaded into each trial's fmnist-train process (`node --import`): when the sweep process that started it
// dies, even by `kill -9`, the trial dies too, so no orphan keeps writing a run folder that the trial's
// next attempt (on this machine or another) resumes from its last checkpoint.
const parentPid = process.ppid;
/** How often to look: the orphan trains at most this long on a folder someone else may now own. */
const CHECK_MS = 300;

setInterval(() => {
  if (process.ppid !== parentPid) process.kill(process.pid, 'SIGKILL');
}, CHECK_MS).unref();

export {};
