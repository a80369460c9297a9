// A plant of one machine on a Modbus device that is not there: enough for tests of the API itself
// (access, errors, TLS, files), with no simulator to start.
export const ONE_MACHINE_PLANT = {
  site: { id: 's', name: 'Test site', timezone: 'UTC' },
  line: { id: 'line-a', name: 'Access line' },
  calendar: { shifts: [{ name: 'All day', start: '00:00', end: '00:00' }] },
  devices: [{ id: 'plc', protocol: 'modbus-tcp', host: '127.0.0.1', port: 1, pollIntervalMs: 1000, timeoutMs: 200 }],
  machines: [{
    id: 'press', name: 'Press', type: 'cnc', device: 'plc', idealCycleTimeSeconds: 10, layout: { x: 0, z: 0, rotationDeg: 0 },
    tags: [{ name: 'state', role: 'state', type: 'uint16', modbus: { table: 'holding', address: 0 } }],
  }],
};
