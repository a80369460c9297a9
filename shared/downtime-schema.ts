// The downtime reason tree (plant file `downtime:`; docs/downtime.md): per machine type, categories
// of reasons in English and Simplified Chinese, each reason planned or unplanned and booked to one
// OEE loss; PLC fault codes mapped to a default reason. Browser-safe: the twin shows the same tree.
// No import from plant-schema.ts (which imports this file): machine types are checked there.
import { z } from 'zod';

/**
 * Where a stop's time goes when an operator gives this reason. Stops are availability losses;
 * which of the six big losses they are (Nakajima) depends on the reason, not on the PLC state.
 * `planned-downtime` takes the time out of planned busy time (ISO 22400-2 PDOT).
 */
export const STOP_LOSSES = ['equipment-failure', 'setup-adjustment', 'idling-minor-stops', 'planned-downtime'] as const;
export type StopLoss = (typeof STOP_LOSSES)[number];

/** The reason of a stop nobody (operator or PLC fault map) has classified: its own bar everywhere. */
export const UNCLASSIFIED = 'unclassified';

const reasonId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'lower-case letters, digits and "-", at most 48').refine((s) => s !== UNCLASSIFIED, `"${UNCLASSIFIED}" is reserved for stops without a reason`);

export const BilingualSchema = z.strictObject({
  en: z.string().trim().min(1).max(80),
  'zh-CN': z.string().trim().min(1).max(80),
});
export type Bilingual = z.infer<typeof BilingualSchema>;

export const ReasonSchema = z
  .strictObject({
    id: reasonId,
    name: BilingualSchema,
    planned: z.boolean().default(false),
    loss: z.enum(STOP_LOSSES),
  })
  .refine((r) => r.planned === (r.loss === 'planned-downtime'), { message: 'a planned reason books planned-downtime, an unplanned one any other loss', path: ['loss'] });
export type Reason = z.infer<typeof ReasonSchema>;

export const ReasonCategorySchema = z.strictObject({
  id: reasonId,
  name: BilingualSchema,
  reasons: z.array(ReasonSchema).min(1).max(100),
});
export type ReasonCategory = z.infer<typeof ReasonCategorySchema>;

const machineType = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a machine type, e.g. cnc');
const faultCode = z.string().regex(/^[1-9]\d{0,4}$/, 'fault codes are positive integers');

export const DowntimeConfigSchema = z
  .strictObject({
    /** The twin asks for a reason once an unclassified stop has lasted this long. */
    promptAfterSeconds: z.number().int().min(0).max(86_400).default(120),
    /** Categories every machine type has. */
    common: z.array(ReasonCategorySchema).max(50).default([]),
    /** Categories of one machine type (added to the common ones; same category id = more reasons in it). */
    types: z.record(machineType, z.array(ReasonCategorySchema).max(50)).default({}),
    /** PLC fault code → default reason id, for every type (`common`) or one type (`types`, wins). */
    faultCodes: z
      .strictObject({
        common: z.record(faultCode, reasonId).default({}),
        types: z.record(machineType, z.record(faultCode, reasonId)).default({}),
      })
      .default({ common: {}, types: {} }),
  })
  .superRefine((d, ctx) => {
    const typesSeen = new Set([...Object.keys(d.types), ...Object.keys(d.faultCodes.types)]);
    for (const type of [null, ...typesSeen]) {
      const tree = reasonTreeOf(d, type ?? '');
      const ids = new Map<string, string>();
      const where = type === null ? ['common'] : ['types', type];
      for (const c of tree) {
        for (const r of c.reasons) {
          const before = ids.get(r.id);
          if (before !== undefined && before !== c.id) ctx.addIssue({ code: 'custom', path: where, message: `reason "${r.id}" is in categories "${before}" and "${c.id}": a reason id names one reason` });
          ids.set(r.id, c.id);
        }
      }
      const codes = type === null ? d.faultCodes.common : { ...d.faultCodes.common, ...(d.faultCodes.types[type] ?? {}) };
      for (const [code, id] of Object.entries(codes)) {
        if (!ids.has(id)) {
          const path = type !== null && d.faultCodes.types[type]?.[code] !== undefined ? ['faultCodes', 'types', type, code] : ['faultCodes', 'common', code];
          ctx.addIssue({ code: 'custom', path, message: `fault code ${code} maps to reason "${id}", which is not in the reason tree${type === null ? '' : ` of type ${type}`} (known: ${[...ids.keys()].join(', ') || 'none'})` });
        }
      }
    }
  });
export type DowntimeConfig = z.infer<typeof DowntimeConfigSchema>;
export type DowntimeConfigInput = z.input<typeof DowntimeConfigSchema>;

/** The categories a machine type sees: the common ones, with the type's own merged in by category id. */
export function reasonTreeOf(d: Pick<DowntimeConfig, 'common' | 'types'>, type: string): ReasonCategory[] {
  const out = d.common.map((c) => ({ ...c, reasons: [...c.reasons] }));
  for (const c of d.types[type] ?? []) {
    const same = out.find((x) => x.id === c.id);
    if (same) same.reasons.push(...c.reasons);
    else out.push({ ...c, reasons: [...c.reasons] });
  }
  return out;
}

export interface ReasonInfo extends Reason {
  category: string;
  categoryName: Bilingual;
}

/** Reason id → reason with its category, for one machine type. */
export function reasonIndex(d: Pick<DowntimeConfig, 'common' | 'types'>, type: string): Map<string, ReasonInfo> {
  const index = new Map<string, ReasonInfo>();
  for (const c of reasonTreeOf(d, type)) for (const r of c.reasons) index.set(r.id, { ...r, category: c.id, categoryName: c.name });
  return index;
}

/** The default reason of a PLC fault code on a machine type, or null. */
export function defaultReasonOf(d: Pick<DowntimeConfig, 'faultCodes'>, type: string, code: number | null): string | null {
  if (code === null) return null;
  const key = String(code);
  return d.faultCodes.types[type]?.[key] ?? d.faultCodes.common[key] ?? null;
}

const r = (id: string, en: string, zh: string, loss: StopLoss): z.input<typeof ReasonSchema> => ({ id, name: { en, 'zh-CN': zh }, planned: loss === 'planned-downtime', loss });

/**
 * The demo's tree and the default when the plant file has no `downtime:` section: the usual
 * top level of a Sepasoft/Vorne reason tree (equipment, material, process, people, planned),
 * and the simulator's fault codes (plc-sim/scenario.ts) that name a cause mapped to them; those
 * that name only a symptom (202, 302, 402, 702, 802) and the wear breakdowns (9xx) are not, so the
 * operator is asked — about half the demo's breakdowns prompt for a reason.
 */
export const DEFAULT_DOWNTIME: DowntimeConfigInput = {
  promptAfterSeconds: 120,
  common: [
    { id: 'equipment', name: { en: 'Equipment', 'zh-CN': '设备' }, reasons: [
      r('jam', 'Part jammed', '卡料', 'equipment-failure'),
      r('mechanical-failure', 'Mechanical failure', '机械故障', 'equipment-failure'),
      r('electrical-failure', 'Electrical / drive failure', '电气/驱动故障', 'equipment-failure'),
      r('sensor-failure', 'Sensor failure', '传感器故障', 'equipment-failure'),
      r('bearing-wear', 'Bearing wear / overheating', '轴承磨损/过热', 'equipment-failure'),
    ] },
    { id: 'material', name: { en: 'Material', 'zh-CN': '物料' }, reasons: [
      r('no-material', 'No material', '缺料', 'idling-minor-stops'),
      r('bad-material', 'Bad incoming material', '来料不良', 'idling-minor-stops'),
      r('consumable-empty', 'Consumable empty', '耗材用完', 'idling-minor-stops'),
    ] },
    { id: 'process', name: { en: 'Process', 'zh-CN': '工艺' }, reasons: [
      r('adjustment', 'Adjustment', '调整', 'setup-adjustment'),
      r('changeover', 'Changeover', '换型', 'setup-adjustment'),
      r('quality-check', 'Quality check', '质量检查', 'setup-adjustment'),
    ] },
    { id: 'people', name: { en: 'People', 'zh-CN': '人员' }, reasons: [
      r('no-operator', 'No operator', '无操作员', 'idling-minor-stops'),
    ] },
    { id: 'planned', name: { en: 'Planned', 'zh-CN': '计划停机' }, reasons: [
      r('planned-maintenance', 'Planned maintenance', '计划维护', 'planned-downtime'),
      r('meeting', 'Meeting / training', '会议/培训', 'planned-downtime'),
      r('cleaning', 'Cleaning', '清洁', 'planned-downtime'),
    ] },
  ],
  types: {
    cnc: [{ id: 'equipment', name: { en: 'Equipment', 'zh-CN': '设备' }, reasons: [
      r('tool-breakage', 'Tool breakage', '断刀', 'equipment-failure'),
      r('coolant', 'Coolant problem', '冷却液故障', 'equipment-failure'),
    ] }, { id: 'process', name: { en: 'Process', 'zh-CN': '工艺' }, reasons: [
      r('tool-change', 'Tool change', '换刀', 'setup-adjustment'),
    ] }],
    robot: [{ id: 'equipment', name: { en: 'Equipment', 'zh-CN': '设备' }, reasons: [
      r('gripper', 'Gripper / vacuum', '夹爪/真空', 'equipment-failure'),
    ] }],
    furnace: [{ id: 'equipment', name: { en: 'Equipment', 'zh-CN': '设备' }, reasons: [
      r('burner', 'Burner fault', '燃烧器故障', 'equipment-failure'),
    ] }],
  },
  faultCodes: {
    // Codes that name a cause get its reason; codes that only name a symptom (an axis following
    // error, coolant pressure low, bath level low, a temperature fault, wear) are left to the operator.
    common: {
      '101': 'jam',
      '401': 'electrical-failure',
      '501': 'electrical-failure',
      '601': 'sensor-failure',
      '701': 'consumable-empty',
    },
    types: {
      robot: { '201': 'gripper' },
      cnc: { '301': 'tool-breakage' },
      furnace: { '801': 'burner' },
    },
  },
};
