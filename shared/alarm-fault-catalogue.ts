// The fault-code catalogue (config/fault-codes.yaml): cause, checks and remedy per machine
// type and code, in English and Simplified Chinese. Browser-safe: the twin may validate
// and look up entries itself.
import { z } from 'zod';
import { MachineTypeSchema, isKnownMachineType } from './plant-schema.js';
import type { FaultAdvice } from './alarm-wire.js';

export const FAULT_LANGS = ['en', 'zh-CN'] as const;
export type FaultLang = (typeof FAULT_LANGS)[number];

const AdviceTextSchema = z.strictObject({
  title: z.string().min(1),
  cause: z.string().min(1),
  checks: z.array(z.string().min(1)).min(1),
  remedy: z.string().min(1),
});

/** Both languages are required: an engineer abroad and the operator on the floor read the same entry. */
const EntrySchema = z.strictObject({ en: AdviceTextSchema, 'zh-CN': AdviceTextSchema });
const CodeMapSchema = z.record(z.string().regex(/^[1-9]\d*$/, 'fault codes are positive integers'), EntrySchema);

export const FaultCatalogueSchema = z.strictObject({
  /** Codes that mean the same on every machine type. */
  common: CodeMapSchema.default({}),
  types: z.partialRecord(MachineTypeSchema, CodeMapSchema).default({}),
});
export type FaultCatalogue = z.infer<typeof FaultCatalogueSchema>;

/** The entry for a code on a machine type (its own first, then common); an "unknown" entry when there is none. */
export function lookupFault(catalogue: FaultCatalogue, machineType: string, code: number, lang: FaultLang = 'en'): FaultAdvice {
  const key = String(code);
  // A type the catalogue does not know (any plant-file type, issue 21) gets the common codes.
  const entry = (isKnownMachineType(machineType) ? catalogue.types[machineType]?.[key] : undefined) ?? catalogue.common[key];
  if (entry) return { code, machineType, lang, known: true, ...entry[lang] };
  return lang === 'zh-CN'
    ? {
        code, machineType, lang, known: false,
        title: `未知故障代码 ${code}`,
        cause: `故障代码目录中没有 ${machineType} 类型的代码 ${code}。`,
        checks: ['查阅设备制造商的故障代码手册', '查看该报警的故障录波，了解停机前的信号'],
        remedy: '向设备制造商询问该代码的含义，并将其添加到故障代码目录（config/fault-codes.yaml）。',
      }
    : {
        code, machineType, lang, known: false,
        title: `Unknown fault code ${code}`,
        cause: `The fault-code catalogue has no code ${code} for machine type ${machineType}.`,
        checks: ["Look the code up in the machine builder's manual", 'Open the flight recording of this alarm to see the signals before the stop'],
        remedy: 'Ask the machine builder what the code means and add it to the fault-code catalogue (config/fault-codes.yaml).',
      };
}
