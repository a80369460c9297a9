// The host file (`npm run host -- --config host.yaml`): which broker and Sparkplug groups the
// plant host serves, where its web pages listen, and how users sign in. Errors name the file
// and the field, like the plant file's.
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { HistorianSettingsSchema } from '../../shared/historian-config.js';
import { MqttBrokerSchema, SparkplugIdSchema } from '../../shared/uplink-config.js';
import { ConfigError } from '../config/index.js';
import { formatPath } from '../config/index.js';
import { HostPostgresSchema } from './pg/postgres-settings.js';

const port = z.number().int().min(0).max(65535);

export const HostConfigSchema = z.strictObject({
  host: z.strictObject({
    /** Sparkplug host application id: its STATE topic is spBv1.0/STATE/<id>; edges name it as primaryHostId. */
    id: SparkplugIdSchema,
    /** Sparkplug groups to serve; empty or absent = every group on the broker. */
    groups: z.array(SparkplugIdSchema).default([]),
    /** A node is asked for a rebirth at most this often. */
    rebirthMinIntervalSeconds: z.number().positive().default(5),
    /**
     * Edge nodes that may appear as lines: "group/node" or "group/*". Empty (default) = any node
     * in the groups served, up to maxLines. Lines listed under `lines:` are always allowed.
     */
    allowedLines: z.array(z.string().regex(/^[^+/#\s]+\/[^+/#\s]+$/, 'use "group/node" or "group/*"')).max(1000).default([]),
    /** At most this many lines; further edge nodes are ignored (and logged). */
    maxLines: z.number().int().min(1).max(1000).default(100),
  }),
  broker: MqttBrokerSchema,
  /** The main port: the plant overview, the plant API (/api/lines …) and every line under /lines/<group>/<edge node>/. */
  http: z.strictObject({ port: port.default(8080), host: z.string().min(1).default('0.0.0.0') }).prefault({}),
  /**
   * Optional: a line's twin and API on a port of its own as well (0 = any free port). Every line
   * is served on the main port under /lines/<groupId>/<edgeNodeId>/ in any case.
   */
  lines: z.array(z.strictObject({ groupId: SparkplugIdSchema, edgeNodeId: SparkplugIdSchema, port })).default([]),
  auth: z.strictObject({
    /** 'required' (default): sign-in for everything; 'demo': demo accounts, for a demo only. */
    mode: z.enum(['required', 'demo']).default('required'),
    tokenTtlHours: z.number().positive().max(24 * 7).default(8),
  }).prefault({}),
  /** The host's per-line historians (defaults as on an edge). */
  historian: HistorianSettingsSchema.optional(),
  /**
   * The plant's 3D models folder (docs/plant-models.md), relative to the host file: each line's
   * twin under /lines/… loads the glTF files its plant file names from here, as its edge does from
   * the models folder beside the plant file. Edges publish the names, not the files.
   */
  models: z.string().min(1).max(4096).default('models'),
  commands: z.strictObject({
    /** How long a command forwarded to an edge (DCMD) may take to answer. */
    timeoutSeconds: z.number().positive().max(120).default(15),
  }).prefault({}),
  /** The plant store in PostgreSQL and redundant hosts (docs/host.md); absent = SQLite files only. */
  postgres: HostPostgresSchema.optional(),
}).superRefine((c, ctx) => {
  const seen = new Set<string>();
  c.lines.forEach((l, i) => {
    const key = `${l.groupId}/${l.edgeNodeId}`;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['lines', i], message: `${key} is listed twice` });
    seen.add(key);
    if (l.port !== 0 && (l.port === c.http.port || c.lines.some((o, j) => j !== i && o.port === l.port))) {
      ctx.addIssue({ code: 'custom', path: ['lines', i, 'port'], message: `port ${l.port} is already used by another line or the index` });
    }
  });
});

export type HostConfig = z.infer<typeof HostConfigSchema>;
export type HostConfigInput = z.input<typeof HostConfigSchema>;

export function parseHostConfig(document: unknown, file: string): HostConfig {
  const result = HostConfigSchema.safeParse(document);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${file}: ${formatPath(issue.path)}: ${issue.message}`);
    throw new ConfigError(`invalid host file ${file}:\n${lines.join('\n')}\nFix the field(s) above and start again.`);
  }
  return result.data;
}

export function loadHostConfig(file: string): HostConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read host file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Pass an existing file with --config (see config/host.yaml).`);
  }
  try {
    return parseHostConfig(parseYaml(text), file);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const where = err.linePos?.[0] ? `line ${err.linePos[0].line}, column ${err.linePos[0].col}` : 'unknown position';
      throw new ConfigError(`host file ${file} is not valid YAML (${where}): ${err.message.split('\n')[0]}`);
    }
    throw err;
  }
}
