// Every process below a pid, from /proc (Linux): a launcher's workers may sit
// in sessions of their own (torch 2.x's torchrun starts each rank with
// start_new_session), where killing the launcher's process group misses
// them. Elsewhere: none found, and the group kill is all there is.
import { readdirSync, readFileSync } from 'node:fs';

/** The parent of each live process, by pid. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return map;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name (field 2) may hold spaces and parentheses: read after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      map.set(Number(name), ppid);
    } catch {
      // It ended while we looked.
    }
  }
  return map;
}

/** The pids of `pid`'s children, their children, and so on. */
export function descendants(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const [child, parent] of parents()) byParent.set(parent, [...(byParent.get(parent) ?? []), child]);
  const out: number[] = [];
  const todo = [...(byParent.get(pid) ?? [])];
  while (todo.length > 0) {
    const next = todo.pop()!;
    out.push(next);
    todo.push(...(byParent.get(next) ?? []));
  }
  return out;
}

/** Whether `pid` is alive: not gone and not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}
