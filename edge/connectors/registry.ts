// The one place that maps a device's `protocol` to the connector that speaks it.
import type { DeviceConfig, ModbusRtuDeviceConfig, ModbusTcpDeviceConfig, OpcUaDeviceConfig } from '../../shared/plant-schema.js';
import type { Connector, ConnectorContext } from './connector.js';
import { createModbusRtuConnector, createModbusTcpConnector } from './modbus-tcp-connector.js';
import { createOpcUaConnector } from './opcua-connector.js';

type Factories = { [P in DeviceConfig['protocol']]: (ctx: ConnectorContext<Extract<DeviceConfig, { protocol: P }>>) => Connector };

const factories: Factories = {
  opcua: (ctx: ConnectorContext<OpcUaDeviceConfig>) => createOpcUaConnector(ctx),
  'modbus-tcp': (ctx: ConnectorContext<ModbusTcpDeviceConfig>) => createModbusTcpConnector(ctx),
  'modbus-rtu': (ctx: ConnectorContext<ModbusRtuDeviceConfig>) => createModbusRtuConnector(ctx),
};

export function createConnector(ctx: ConnectorContext): Connector {
  const factory = factories[ctx.device.protocol] as (c: ConnectorContext) => Connector;
  return factory(ctx);
}
