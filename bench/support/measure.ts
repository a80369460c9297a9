// CPU and rate measurement for one process, over a window.
export interface Window {
  seconds: number; cpuPercent: number; count: number; perSecond: number; cpuMicrosPerUpdate: number;
  /** The user-space part: the code's own work, without the kernel's (sockets, and whatever interrupt work the kernel bills to the process that happened to be running). */
  userMicrosPerUpdate: number;
}

export async function measure(counter: () => number, seconds: number): Promise<Window> {
  const startCount = counter();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuMicros = cpu.user + cpu.system;
  const count = counter() - startCount;
  return {
    seconds: elapsed,
    cpuPercent: (cpuMicros / 1e6 / elapsed) * 100,
    count,
    perSecond: count / elapsed,
    cpuMicrosPerUpdate: count ? cpuMicros / count : Number.NaN,
    userMicrosPerUpdate: count ? cpu.user / count : Number.NaN,
  };
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
