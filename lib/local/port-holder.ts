import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A process that listens on a TCP port, as `/proc` tells it. */
export interface PortHolder {
  pid: number;
  /** Its command line, shortened. */
  command: string;
}

/** The socket inodes listening on `port` (IPv4 and IPv6), from /proc/net/tcp{,6}. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let table: string;
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of table.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // State 0A is LISTEN; the local address is `<hex ip>:<hex port>`; the inode is the 10th field.
      if (!local || fields[3] !== '0A' || parseInt(local.split(':')[1] ?? '', 16) !== port) continue;
      if (fields[9] && fields[9] !== '0') inodes.add(fields[9]);
    }
  }
  return inodes;
}

/**
 * Which process listens on `port`, when this machine can tell (Linux `/proc`; only processes whose file
 * descriptors we may read, which includes every process of our own user). Undefined elsewhere or when unknown.
 */
export function portHolder(port: number): PortHolder | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode && inodes.has(inode)) {
        let command = '';
        try {
          command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
        } catch {
          // it just exited
        }
        return { pid: Number(pid), command: command.length > 160 ? `${command.slice(0, 157)}...` : command };
      }
    }
  }
  return undefined;
}
