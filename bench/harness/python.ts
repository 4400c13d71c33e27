// The Python that runs the Python peers. Debian's python3-torch and python3-numpy install
// into the system interpreter (/usr/bin/python3), which may not be the `python3` first on
// PATH (a pyenv shim, for instance), so the system one is preferred.
import { existsSync } from 'node:fs';
import { runPeerScript, type PeerCommand, type PeerResult } from './peers.js';

/** TESSERA_PEER_PYTHON if set, else /usr/bin/python3 if present, else python3 from PATH. */
export function findPython(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TESSERA_PEER_PYTHON) return env.TESSERA_PEER_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Runs `python script args...` as a peer (see runPeerScript for the statuses). */
export function runPython(
  name: string,
  script: string,
  args: string[],
  opts: Omit<PeerCommand, 'name' | 'command' | 'args' | 'script'> & { python?: string } = {},
): Promise<PeerResult> {
  const { python, ...rest } = opts;
  return runPeerScript({ name, command: python ?? findPython(), args: [script, ...args], script, ...rest });
}
