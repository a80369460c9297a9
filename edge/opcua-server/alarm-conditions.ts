// twinline's alarms as OPC UA Alarms & Conditions (Part 9): one AlarmConditionType instance
// per alarm point (rule on a machine), created when the point first shows up, under its
// machine and raised on it. The alarm engine stays the only owner of alarm state: every
// lifecycle event is copied onto the condition, and a client's Acknowledge runs twinline's
// ack-alarm command (role check, audit) instead of changing the condition by itself.
import { StatusCodes, type AddressSpace, type ISessionContext, type MethodFunctor, type UAMethod, type LocalizedText, type NodeId, type StatusCode, type UAAlarmConditionEx } from 'node-opcua';
import type { AlarmEvent, AlarmView } from '../../shared/alarm-wire.js';
import type { AlarmPriority } from '../../shared/alarm-rules.js';
import type { MachineryAddressSpace } from './machinery-address-space.js';

/** OPC UA severity 1…1000 (Part 9 §5.5.2) for twinline's four priorities. */
export const SEVERITY: Record<AlarmPriority, number> = { critical: 900, high: 700, medium: 500, low: 300 };

/** The condition's ActiveState, AckedState and Retain as the ISA-18.2 state says them. */
export function conditionStateOf(a: Pick<AlarmView, 'state'>): { active: boolean; acked: boolean; retain: boolean } {
  switch (a.state) {
    case 'active-unacked': return { active: true, acked: false, retain: true };
    case 'active-acked': return { active: true, acked: true, retain: true };
    case 'rtn-unacked': return { active: false, acked: false, retain: true };
    // normal, shelved, suppressed, out of service: nothing for a client to show or act on.
    default: return { active: false, acked: true, retain: false };
  }
}

/** Runs a client's Acknowledge as twinline's ack-alarm command; resolves with the Call's status. */
export type AckHandler = (alarmKey: string, comment: string, context: ISessionContext) => Promise<StatusCode>;

export interface AlarmConditions {
  /** Copies one alarm engine event onto its condition (and raises the condition event). */
  apply(event: AlarmEvent): void;
  /** Copies the standing list (at start-up). */
  sync(alarms: readonly AlarmView[]): void;
  count(): number;
}

export function createAlarmConditions(
  addressSpace: AddressSpace,
  model: MachineryAddressSpace,
  ack: AckHandler,
  log: (message: string) => void,
): AlarmConditions {
  const ns = addressSpace.getOwnNamespace();
  const conditions = new Map<string, UAAlarmConditionEx>();
  const keyOf = new Map<string, string>();

  // Acknowledge goes through the command service (who may, audit); the engine's event then updates
  // the condition. Bound on each condition and on the type's method too: clients call the standard
  // method id (AcknowledgeableConditionType.Acknowledge, i=9111) with the condition as the object.
  const acknowledge: MethodFunctor = (inputArguments, context, callback) => {
    const key = context.object ? keyOf.get(context.object.nodeId.toString()) : undefined;
    if (!key) {
      callback(null, { statusCode: StatusCodes.BadNodeIdUnknown });
      return;
    }
    const comment = (inputArguments[1]?.value as LocalizedText | null)?.text ?? '';
    ack(key, comment.slice(0, 500), context).then(
      (statusCode) => callback(null, { statusCode }),
      (err: unknown) => {
        log(`acknowledge of ${key} failed: ${(err as Error).message}`);
        callback(null, { statusCode: StatusCodes.BadInternalError });
      },
    );
  };
  const ackType = addressSpace.findEventType('AcknowledgeableConditionType');
  (ackType?.getMethodByName('Acknowledge') as UAMethod | null)?.bindMethod(acknowledge);

  function conditionFor(a: AlarmView): UAAlarmConditionEx | undefined {
    const known = conditions.get(a.key);
    if (known) return known;
    const machine = model.machineNode(a.machineId);
    if (!machine) return undefined;
    const input = (a.tag && model.tagNode(`${a.machineId}.${a.tag}`)) || model.tagNode(`${a.machineId}.state`) || machine;
    const condition = ns.instantiateAlarmCondition('AlarmConditionType', {
      browseName: `Alarm_${a.ruleId}`, nodeId: `s=${a.machineId}.Alarms.${a.ruleId}`, componentOf: machine, conditionSource: machine,
      conditionName: a.ruleId, inputNode: (input as { nodeId: NodeId }).nodeId,
    });
    condition.acknowledge.bindMethod(acknowledge);
    keyOf.set(condition.nodeId.toString(), a.key);
    conditions.set(a.key, condition);
    return condition;
  }

  function copy(a: AlarmView, what: string) {
    const condition = conditionFor(a);
    if (!condition) return;
    const { active, acked, retain } = conditionStateOf(a);
    const branch = condition.currentBranch();
    branch.setActiveState(active);
    branch.setAckedState(acked);
    branch.setRetain(retain);
    condition.raiseNewCondition({
      message: what === 'raised' ? a.message : `${what}: ${a.message}`,
      severity: SEVERITY[a.priority],
      quality: StatusCodes.Good,
      retain,
    });
  }

  return {
    apply(event) {
      if (!event.alarm) return;
      copy(event.alarm, event.type);
    },
    sync(alarms) {
      for (const a of alarms) if (conditionStateOf(a).retain) copy(a, 'standing');
    },
    count: () => conditions.size,
  };
}
