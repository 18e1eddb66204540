import { cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
  /** 1-minute load average when the benchmark started: other work on the machine skews every figure. */
  loadAverage: number;
}

/** What the numbers were measured on: they mean little without it. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${release()}`,
    date: new Date().toISOString(),
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}

/** One line for the README: `AMD EPYC, 2 cores, 23.4 GiB, Node v20.20.2, linux 6.1, load 0.4`. */
export function describeMachine(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}, load ${m.loadAverage} at start`;
}
