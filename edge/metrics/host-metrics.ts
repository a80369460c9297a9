// What a Prometheus scrape of a plant host reads: the Sparkplug primary host's broker connection
// and message counts, the edge nodes it sees, and per line (bounded by the host file's maxLines):
// online, machines by state, the KPIs the host recomputed, standing alarms and the line
// historian's queue. Same reading-at-scrape-time rule as the edge (edge-metrics.ts).
import { MACHINE_STATES } from '../../shared/plant-schema.js';
import type { Historian } from '../store/index.js';
import { createMetricSet, type MetricSet } from './metric-set.js';

/** The parts of the host's PrimaryHostHealth and HostedLine the metrics read (edge/host keeps the full types). */
export interface HostMetricSources {
  hostId: string;
  startedAt: number;
  primary: () => { connected: boolean; edgeNodes: number; onlineEdgeNodes: number; messages: number; seqGaps: number; rebirthRequestsSent: number };
  lines: () => ReadonlyArray<{
    key: string;
    online: boolean;
    served: boolean;
    states: Readonly<Record<string, number>>;
    kpis: { availability: number; performance: number; quality: number; oee: number } | null;
    alarms: { active: number; unacknowledged: number };
  }>;
  /** Each line's historian, by line key. */
  historians: () => ReadonlyArray<{ line: string; health: ReturnType<Historian['health']> }>;
}

export interface HostMetrics {
  collect(): MetricSet['registry'];
}

export function createHostMetrics(s: HostMetricSources): HostMetrics {
  const m = createMetricSet();
  const info = m.gauge('twinline_host_info', 'Always 1; the label names this plant host', ['host']);
  const started = m.gauge('twinline_host_start_time_seconds', 'When this host process started (Unix time)');
  const connected = m.gauge('twinline_host_broker_connected', '1 while the primary host is connected to the MQTT broker');
  const nodes = m.gauge('twinline_host_edge_nodes', 'Edge nodes the host has seen');
  const online = m.gauge('twinline_host_edge_nodes_online', 'Edge nodes online (births received, no death since)');
  const messages = m.counter('twinline_host_messages_received_total', 'Sparkplug messages received');
  const gaps = m.counter('twinline_host_seq_gaps_total', 'Sparkplug sequence gaps seen (each asks for a rebirth)');
  const rebirths = m.counter('twinline_host_rebirth_requests_total', 'Rebirth requests sent to edge nodes');

  const l = ['line'] as const;
  const lineOnline = m.gauge('twinline_host_line_online', '1 while the line\'s edge is online', l);
  const lineServed = m.gauge('twinline_host_line_served', '1 once the line\'s twin and API are served', l);
  const lineStates = m.gauge('twinline_host_line_machines', 'Machines of the line by state', ['line', 'state']);
  const lineKpi = m.gauge('twinline_host_line_kpi_ratio', 'The line\'s KPIs recomputed on the host for the current shift (0..1)', ['line', 'kpi']);
  const lineActive = m.gauge('twinline_host_line_alarms_active', 'Standing alarms the line\'s edge published', l);
  const lineUnacked = m.gauge('twinline_host_line_alarms_unacknowledged', 'Of those, waiting for an acknowledgement', l);

  const hQueue = m.gauge('twinline_historian_queue_events', 'Model events queued for the historian\'s next commit', l);
  const hBacklog = m.gauge('twinline_historian_backlog_events', 'Events handed to the historian and not yet committed', l);
  const hRows = m.counter('twinline_historian_rows_written_total', 'Rows the historian wrote since start', l);
  const hBytes = m.gauge('twinline_historian_db_bytes', 'Size of the historian database', l);

  return {
    collect() {
      m.reset();
      info(1, { host: s.hostId });
      started(s.startedAt / 1000);
      const p = s.primary();
      connected(p.connected ? 1 : 0);
      nodes(p.edgeNodes);
      online(p.onlineEdgeNodes);
      messages(p.messages);
      gaps(p.seqGaps);
      rebirths(p.rebirthRequestsSent);
      for (const x of s.lines()) {
        const line = x.key;
        lineOnline(x.online ? 1 : 0, { line });
        lineServed(x.served ? 1 : 0, { line });
        for (const state of MACHINE_STATES) lineStates(x.states[state] ?? 0, { line, state });
        if (x.kpis) for (const kpi of ['availability', 'performance', 'quality', 'oee'] as const) lineKpi(x.kpis[kpi], { line, kpi });
        lineActive(x.alarms.active, { line });
        lineUnacked(x.alarms.unacknowledged, { line });
      }
      for (const { line, health } of s.historians()) {
        hQueue(health.pending, { line });
        hBacklog(Math.max(0, health.lastRecordedSeq - health.lastAcknowledgedSeq), { line });
        hRows(health.rowsWritten, { line });
        hBytes(health.dbBytes, { line });
      }
      return m.registry;
    },
  };
}
