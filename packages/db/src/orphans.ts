import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The processes of a dead PostgreSQL server that outlived its postmaster: backends and auxiliary
 * processes (checkpointer, walwriter, …) whose working directory is the cluster's. After a kill -9
 * of the postmaster they keep their clients' connections open until they notice its death, which
 * under load can be after a new server is up: a client then sends its next query to a dead server's
 * backend and gets 57P01 "terminating connection due to unexpected postmaster exit" (seen in the
 * outage test). Linux only (reads /proc); elsewhere none are found.
 */
export function orphanedServerProcesses(clusterDir: string, except: readonly number[] = []): number[] {
  const dir = resolve(clusterDir);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid || except.includes(pid)) continue;
    try {
      // PostgreSQL processes run in the data directory; comm says which program it is
      if (readlinkSync(`/proc/${pid}/cwd`) !== dir) continue;
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      found.push(pid);
    } catch {
      // gone meanwhile, or not ours to look at
    }
  }
  return found;
}

/** Still running: a killed process waiting to be reaped (a zombie, state Z) has stopped already. */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

/**
 * Kills what is left of a crashed server (see orphanedServerProcesses) and waits until it is gone,
 * so that its clients see their connections close and reconnect to the next server, and no process
 * of the old one touches the cluster once the new one runs. Returns how many were stopped.
 */
export async function stopOrphanedServerProcesses(clusterDir: string, timeoutMs = 10_000): Promise<number> {
  const pids = orphanedServerProcesses(clusterDir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return pids.length;
}
