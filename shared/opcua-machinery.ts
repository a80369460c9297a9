// Browser-safe; the edge's OPC UA server and the simulator's standard model share it.
// twinline's machine states as OPC 40001-1 (Machinery) sees a machine: MachineryItemState
// (is it doing its job?) and MachineryOperationMode (what is it set up to do?). A pure table,
// documented in docs/opcua.md.
import type { MachineState } from './plant-schema.js';
import type { Quality } from './live-protocol.js';

/** OPC 40001-1 §11.1 MachineryItemState_StateMachineType states. */
export type MachineryItemState = 'Executing' | 'NotExecuting' | 'OutOfService' | 'NotAvailable';
/** OPC 40001-1 §11.2 MachineryOperationModeStateMachineType states. */
export type MachineryOperationMode = 'None' | 'Maintenance' | 'Setup' | 'Processing';

/**
 * - running: Executing — it performs its intended function.
 * - idle, planned-stop: NotExecuting — functional and available, waiting (starved, blocked, a break).
 * - setup: NotExecuting — it is not producing while it is changed over (the mode says Setup).
 * - down: OutOfService — not functional, a failure (twinline's "down" is an unplanned stop).
 * - no-data: NotAvailable — the edge cannot tell (communication lost); the spec's "not available" is the honest answer.
 */
export const ITEM_STATE: Record<MachineState, MachineryItemState> = {
  running: 'Executing',
  idle: 'NotExecuting',
  'planned-stop': 'NotExecuting',
  setup: 'NotExecuting',
  down: 'OutOfService',
  'no-data': 'NotAvailable',
};

/**
 * The operation mode twinline knows from the state alone: Setup during a changeover, None when
 * nothing is known, otherwise Processing (the machine is in production mode, running or not).
 * twinline has no maintenance-mode signal, so Maintenance is never shown.
 */
export const OPERATION_MODE: Record<MachineState, MachineryOperationMode> = {
  running: 'Processing',
  idle: 'Processing',
  'planned-stop': 'Processing',
  down: 'Processing',
  setup: 'Setup',
  'no-data': 'None',
};

/** OPC UA status code names for twinline's tag qualities (Part 4 §7.34). */
export const QUALITY_STATUS: Record<Quality, 'Good' | 'UncertainLastUsableValue' | 'BadNoCommunication'> = {
  good: 'Good',
  uncertain: 'UncertainLastUsableValue',
  bad: 'BadNoCommunication',
};
