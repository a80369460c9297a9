// A synthetic line for developing and testing the twin without PLCs: plausible states, counts,
// energy, OEE and tag values for every machine of a plant file. Deterministic for a given seed.
import type { DeviceHealth, LineSnapshot, MachineLive, PlantView } from '../../shared/live-protocol.js';
import type { MachineState } from '../../shared/plant-schema.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POWER_BY_STATE: Record<MachineState, number> = { running: 1, idle: 0.35, down: 0.15, setup: 0.3, 'planned-stop': 0.05, 'no-data': 0 };

export interface FixtureLine {
  snapshot(now: number): LineSnapshot;
  /** Advances the line to `now`; returns the machines that changed. */
  step(now: number): MachineLive[];
  devices(): DeviceHealth[];
  /** Forces and pins a state (no more random changes for that machine); tests check colours and panels with it. */
  force(machineId: string, state: MachineState, now: number): void;
  setDeviceConnected(deviceId: string, connected: boolean): void;
}

export function createFixtureLine(plant: PlantView, start: number, seed = 7): FixtureLine {
  const rnd = mulberry32(seed);
  const shiftStart = start - 2.5 * 3600_000;
  const shift = { name: 'Early', start: shiftStart, end: shiftStart + 8 * 3600_000 };
  const machines = new Map<string, MachineLive>();
  const runSeconds = new Map<string, number>();
  const initial: MachineState[] = ['running', 'running', 'idle', 'running', 'down', 'running', 'setup', 'running', 'planned-stop'];
  const deviceIds = [...new Set(plant.machines.map((m) => m.device))];
  const devices = new Map<string, DeviceHealth>(
    deviceIds.map((id, i) => [id, { deviceId: id, protocol: i % 2 ? 'modbus-tcp' : 'opcua', connected: true, lastError: null, latencyMs: 4 + i * 3, readsPerSecond: 8 + i * 2, reconnects: 0 }]),
  );

  plant.machines.forEach((m, i) => {
    const elapsed = (start - shiftStart) / 1000;
    const availability = 0.78 + rnd() * 0.17;
    const performance = 0.8 + rnd() * 0.17;
    const quality = 0.95 + rnd() * 0.045;
    const total = Math.floor((elapsed * availability * performance) / m.idealCycleTimeSeconds);
    const good = Math.floor(total * quality);
    runSeconds.set(m.id, elapsed * availability);
    const tags: MachineLive['tags'] = {};
    for (const t of m.tags) tags[t.name] = { value: 0, quality: 'good', ts: start };
    machines.set(m.id, {
      machineId: m.id,
      state: initial[i % initial.length]!,
      stateSince: start - Math.floor(rnd() * 600_000),
      faultCode: initial[i % initial.length] === 'down' ? 1203 : null,
      counts: { total, good, scrap: total - good },
      energyKWh: elapsed / 3600 * (4 + rnd() * 12),
      oee: { availability, performance, quality, oee: availability * performance * quality },
      shift,
      tags,
      updatedAt: start,
    });
    fillTags(m, machines.get(m.id)!, start);
  });

  function fillTags(config: PlantView['machines'][number], live: MachineLive, now: number) {
    const power = (3 + (config.idealCycleTimeSeconds % 5)) * POWER_BY_STATE[live.state] * (0.9 + rnd() * 0.2);
    for (const t of config.tags) {
      const prev = live.tags[t.name]!;
      let value: number | boolean | string | null;
      switch (t.role) {
        case 'state': value = { running: 1, idle: 2, down: 3, setup: 4, 'planned-stop': 5, 'no-data': 0 }[live.state]; break;
        case 'faultCode': value = live.faultCode ?? 0; break;
        case 'totalCount': value = live.counts.total; break;
        case 'goodCount': value = live.counts.good; break;
        case 'power': value = Math.round(power * 100) / 100; break;
        case 'energy': value = Math.round(live.energyKWh * 100) / 100; break;
        case 'speedOverride': value = 100; break;
        case 'resetFault': value = false; break;
        default: {
          const base = typeof prev.value === 'number' && prev.value !== 0 ? prev.value : t.unit === 'rpm' ? 8000 : t.unit === 'mm/s' ? 1.8 : 38 + rnd() * 10;
          const drift = t.unit === 'rpm' ? (live.state === 'running' ? 8000 + rnd() * 400 - 200 : 0) : base + (rnd() - 0.5) * base * 0.01;
          value = Math.round(drift * 10) / 10;
        }
      }
      const changed = value !== prev.value;
      live.tags[t.name] = { value, quality: devices.get(config.device)?.connected === false ? 'bad' : 'good', ts: changed ? now : prev.ts };
    }
  }

  let lastStep = start;
  const pinned = new Set<string>();
  return {
    snapshot: (now) => ({ plant, machines: [...machines.values()].map((m) => structuredClone(m)), devices: [...devices.values()], ts: now }),
    devices: () => [...devices.values()],
    step(now) {
      const dt = (now - lastStep) / 1000;
      lastStep = now;
      const changed: MachineLive[] = [];
      for (const config of plant.machines) {
        const live = machines.get(config.id)!;
        // Occasional state changes; mostly running, as a healthy line is.
        if (!pinned.has(config.id) && rnd() < dt * 0.03) {
          const r = rnd();
          const next: MachineState = r < 0.6 ? 'running' : r < 0.8 ? 'idle' : r < 0.93 ? 'down' : 'setup';
          if (next !== live.state) {
            live.state = next;
            live.stateSince = now;
            live.faultCode = next === 'down' ? 1000 + Math.floor(rnd() * 900) : null;
          }
        }
        if (live.state === 'running') {
          runSeconds.set(config.id, runSeconds.get(config.id)! + dt);
          const expected = dt / config.idealCycleTimeSeconds;
          const made = rnd() < expected * 0.95 ? 1 : 0;
          if (made) {
            live.counts.total += 1;
            if (rnd() < 0.97) live.counts.good += 1;
            else live.counts.scrap += 1;
          }
        }
        live.energyKWh += (dt / 3600) * (3 + (config.idealCycleTimeSeconds % 5)) * POWER_BY_STATE[live.state];
        const elapsed = (now - shift.start) / 1000;
        const run = runSeconds.get(config.id)!;
        const a = Math.min(1, run / elapsed);
        const p = run > 0 ? Math.min(1, (live.counts.total * config.idealCycleTimeSeconds) / run) : 0;
        const q = live.counts.total > 0 ? live.counts.good / live.counts.total : 1;
        live.oee = { availability: a, performance: p, quality: q, oee: a * p * q };
        fillTags(config, live, now);
        live.updatedAt = now;
        changed.push(structuredClone(live));
      }
      return changed;
    },
    force(machineId, state, now) {
      const live = machines.get(machineId);
      if (!live) throw new Error(`fixture: no machine ${machineId}`);
      pinned.add(machineId);
      live.state = state;
      live.stateSince = now;
      live.faultCode = state === 'down' ? 4711 : null;
    },
    setDeviceConnected(deviceId, connected) {
      const d = devices.get(deviceId);
      if (!d) throw new Error(`fixture: no device ${deviceId}`);
      d.connected = connected;
      d.lastError = connected ? null : 'ECONNREFUSED 127.0.0.1:5020 (fixture)';
      if (!connected) d.reconnects += 1;
    },
  };
}
