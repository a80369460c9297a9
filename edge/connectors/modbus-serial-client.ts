// modbus-serial is CommonJS whose typings declare `export default`; under NodeNext that
// default is the module object, so pick the class out explicitly.
import ModbusModule from 'modbus-serial';
import type { ModbusRTU as ModbusClient } from 'modbus-serial/ModbusRTU.js';

type ModbusClass = new () => ModbusClient;
const mod = ModbusModule as unknown as ModbusClass & { default?: ModbusClass };
export const ModbusRTU: ModbusClass = mod.default ?? mod;
export type { ModbusClient };
