// The alarm system as the edge runs it: ISA-18.2 engine, flight recorder, journal, alarm KPIs.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { AlarmCommandError } from './alarm-engine.js';
export type { DerivedSignal, DerivedSignalSpec } from './alarm-engine.js';
export { alarmKpisFromJournal } from './alarm-kpis.js';
export type { AlarmKpiSettings } from './alarm-kpis.js';
export { UnknownPeriodError, createAlarmService } from './alarm-service.js';
export type { AlarmService } from './alarm-service.js';
export { RecordingLimitError, recordingCsvLines } from './flight-recorder.js';
export { AlarmStore } from './store/alarm-store.js';
