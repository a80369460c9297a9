// UNECE Recommendation 20 common codes for the units plant files use: what an OPC UA
// EUInformation carries (OPC 10000-8 §5.6.3), so the edge's server and the simulator describe a
// unit the same way. Browser-safe data; each side builds its EUInformation from it.

export interface UneceUnit { code: string; symbol: string; description: string }

const UNITS: Record<string, UneceUnit> = {
  kW: { code: 'KWT', symbol: 'kW', description: 'kilowatt' },
  '°C': { code: 'CEL', symbol: '°C', description: 'degree Celsius' },
  '%': { code: 'P1', symbol: '%', description: 'percent' },
  rpm: { code: 'RPM', symbol: 'r/min', description: 'revolutions per minute' },
  kWh: { code: 'KWH', symbol: 'kWh', description: 'kilowatt hour' },
  'mm/s': { code: 'C16', symbol: 'mm/s', description: 'millimetre per second' },
  m3: { code: 'MTQ', symbol: 'm³', description: 'cubic metre' },
  'm3/h': { code: 'MQH', symbol: 'm³/h', description: 'cubic metre per hour' },
  Pa: { code: 'PAL', symbol: 'Pa', description: 'pascal' },
  'mg/L': { code: 'M1', symbol: 'mg/L', description: 'milligram per litre' },
  'mg/m3': { code: 'GP', symbol: 'mg/m³', description: 'milligram per cubic metre' },
};

/** The unit's UNECE code, symbol and description; a unit not listed keeps its own text as symbol. */
export function uneceUnit(unit: string): UneceUnit {
  return UNITS[unit] ?? { code: unit.toUpperCase().slice(0, 3), symbol: unit, description: unit };
}
