// A benchmark helper process (load server, client swarm, measured side) started with tsx; ready
// once it prints READY on stdout, so a measurement never starts against a half-started peer.
import { spawn, type ChildProcess } from 'node:child_process';

export function spawnReady(script: string, args: string[]): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes('READY')) {
        proc.stdout!.off('data', onData);
        resolve(proc);
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
}
