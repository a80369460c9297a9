// The JSON `npm run hj212 -- encode` reads: header fields (each optional, written in this
// order) and CP, the text between && and &&.
import { z } from 'zod';

const headerText = z.string().max(32).regex(/^[^;&\r\n]*$/, 'must not contain ";", "&" or a line break');

export const Hj212EncodeInputSchema = z.strictObject({
  QN: headerText.optional(),
  ST: headerText.optional(),
  CN: headerText.optional(),
  PW: headerText.optional(),
  MN: headerText.optional(),
  Flag: z.union([z.number().int().min(0).max(255), z.string().regex(/^\d{1,3}$/, 'must be a number 0–255')]).optional(),
  PNUM: z.union([z.number().int().min(1), z.string().regex(/^\d+$/)]).optional(),
  PNO: z.union([z.number().int().min(1), z.string().regex(/^\d+$/)]).optional(),
  CP: z.string().max(1024).default(''),
});
export type Hj212EncodeInput = z.infer<typeof Hj212EncodeInputSchema>;
