// A one-machine plant for tests of auth, audit and commands that need no live data: its one
// Modbus device points at a closed port, so no simulator has to run.
export const TINY_PLANT = {
  site: { id: 's', name: 'Test site', timezone: 'UTC' },
  line: { id: 'line-t', name: 'Test line' },
  calendar: { shifts: [{ name: 'All day', start: '00:00', end: '00:00' }] },
  devices: [{ id: 'plc', protocol: 'modbus-tcp', host: '127.0.0.1', port: 1, pollIntervalMs: 1000, timeoutMs: 200 }],
  machines: [{
    id: 'press', name: 'Press', type: 'cnc', device: 'plc', idealCycleTimeSeconds: 10, layout: { x: 0, z: 0, rotationDeg: 0 },
    tags: [
      { name: 'state', role: 'state', type: 'uint16', modbus: { table: 'holding', address: 0 } },
      { name: 'speedOverride', role: 'speedOverride', type: 'uint16', unit: '%', writable: true, min: 50, max: 120, modbus: { table: 'holding', address: 1 } },
    ],
  }],
};
