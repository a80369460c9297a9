// What a Prometheus scrape of an edge reads: acquisition per device, the historian's queue and
// file, the uplink's store-and-forward backlog, live clients, KPIs and machine states per machine,
// standing alarms by priority. Labels are bounded by the plant file: per device, per machine, per
// alarm priority or state — never per tag or per alarm point, which could be thousands.
import { ALARM_PRIORITIES } from '../../shared/alarm-rules.js';
import { ALARM_STATES } from '../../shared/alarm-wire.js';
import type { AlarmView } from '../../shared/alarm-wire.js';
import type { MachineLive } from '../../shared/live-protocol.js';
import { MACHINE_STATES } from '../../shared/plant-schema.js';
import type { ConnectorHealth } from '../connectors/index.js';
import type { LiveServer } from '../live/index.js';
import type { Historian } from '../store/index.js';
import type { UplinkHealth } from '../uplink/index.js';
import { createMetricSet, type MetricSet } from './metric-set.js';

/** Functions the edge's modules already have for /api/status; each is called once per scrape. */
export interface EdgeMetricSources {
  line: { id: string; name: string };
  startedAt: number;
  devices: () => ConnectorHealth[];
  historian: Historian['health'];
  /** Null without an `uplink:` section. */
  uplink: () => UplinkHealth | null;
  live: LiveServer['stats'];
  machines: () => MachineLive[];
  lineKpis: () => { availability: number; performance: number; quality: number; oee: number } | null;
  alarms: () => { alarms: readonly Pick<AlarmView, 'priority' | 'state' | 'active' | 'acked'>[]; flood: { active: boolean } };
}

export interface EdgeMetrics {
  /** Fills every metric from the sources now and returns the registry to render. */
  collect(): MetricSet['registry'];
}

export function createEdgeMetrics(s: EdgeMetricSources): EdgeMetrics {
  const m = createMetricSet();
  const d = ['device', 'protocol'] as const;
  const info = m.gauge('twinline_edge_info', 'Always 1; labels name the line this edge serves', ['line', 'line_name']);
  const started = m.gauge('twinline_edge_start_time_seconds', 'When this edge process started (Unix time)');

  const connected = m.gauge('twinline_device_connected', '1 while the edge is connected to the device', d);
  const reads = m.counter('twinline_acquisition_reads_total', 'Reads answered by the device (Modbus requests, OPC UA values received)', d);
  const errors = m.counter('twinline_acquisition_errors_total', 'Failed reads and connection attempts', d);
  const reconnects = m.counter('twinline_device_reconnects_total', 'Connections re-established after a loss', d);
  const rate = m.gauge('twinline_device_reads_per_second', 'The connector\'s own read rate over its last few seconds', d);
  const latency = m.gauge('twinline_device_latency_seconds', 'Round trip of the last read (NaN-free: 0 before the first)', d);

  const hPending = m.gauge('twinline_historian_queue_events', 'Model events queued for the historian\'s next commit');
  const hBacklog = m.gauge('twinline_historian_backlog_events', 'Events handed to the historian and not yet committed (recorded minus acknowledged sequence)');
  const hRows = m.counter('twinline_historian_rows_written_total', 'Rows the historian wrote since start');
  const hBytes = m.gauge('twinline_historian_db_bytes', 'Size of the historian database');
  const hMax = m.gauge('twinline_historian_db_max_bytes', 'The historian\'s size budget (0: none)');
  const hCommit = m.gauge('twinline_historian_last_commit_time_seconds', 'When the historian last committed (Unix time, 0 before the first)');
  const hError = m.gauge('twinline_historian_error', '1 while the historian reports an error');

  const uConnected = m.gauge('twinline_uplink_connected', '1 while connected to the MQTT broker (absent without an uplink)');
  const uOnline = m.gauge('twinline_uplink_online', '1 while births are out and data goes live (else it is stored and forwarded)');
  const fQueued = m.gauge('twinline_forward_store_queued_metrics', 'Store-and-forward backlog: metrics waiting for the broker');
  const fDropped = m.counter('twinline_forward_store_dropped_metrics_total', 'Metrics the forward store dropped at its size limit');
  const fReplaying = m.gauge('twinline_forward_store_replaying', '1 while the backlog is being replayed as historical data');
  const uMessages = m.counter('twinline_uplink_messages_published_total', 'Sparkplug messages published');
  const uMetrics = m.counter('twinline_uplink_metrics_published_total', 'Sparkplug metrics published');
  const uReplayed = m.counter('twinline_uplink_historical_metrics_replayed_total', 'Stored metrics the broker acknowledged on replay');
  const uConnects = m.counter('twinline_uplink_connects_total', 'Connections to the broker');
  const uRebirths = m.counter('twinline_uplink_rebirths_total', 'Rebirths sent on a host\'s request');

  const lClients = m.gauge('twinline_live_clients', 'Socket.IO clients connected to the live feed');
  const lSent = m.counter('twinline_live_messages_sent_total', 'Live messages handed to sockets');
  const lDeferred = m.counter('twinline_live_deferred_total', 'Times a slow socket was left out of a tick');
  const lCatchUps = m.counter('twinline_live_catch_ups_total', 'Catch-ups sent to sockets that fell behind');
  const lProtocol = m.counter('twinline_live_protocol_errors_total', 'Malformed or refused client messages');
  const lQueue = m.gauge('twinline_live_max_queued_packets', 'Largest socket write queue seen at the last tick (packets)');

  const mk = ['machine'] as const;
  const state = m.gauge('twinline_machine_state', '1 for the state the machine is in, 0 for the others', ['machine', 'state']);
  const oee = m.gauge('twinline_machine_oee_ratio', 'OEE of the current shift so far (ISO 22400, 0..1)', mk);
  const avail = m.gauge('twinline_machine_availability_ratio', 'Availability of the current shift so far (0..1)', mk);
  const perf = m.gauge('twinline_machine_performance_ratio', 'Performance of the current shift so far (0..1)', mk);
  const qual = m.gauge('twinline_machine_quality_ratio', 'Quality of the current shift so far (0..1)', mk);
  const parts = m.gauge('twinline_machine_shift_parts', 'Parts made in the current shift, by kind', ['machine', 'kind']);
  const energy = m.gauge('twinline_machine_shift_energy_kwh', 'Energy used in the current shift (kWh)', mk);
  const lineK = m.gauge('twinline_line_kpi_ratio', 'The line\'s KPIs of the current shift so far (0..1)', ['kpi']);

  const aState = m.gauge('twinline_alarms', 'Alarm points by ISA-18.2 state and priority (normal ones not counted)', ['state', 'priority']);
  const aActive = m.gauge('twinline_alarms_active', 'Alarms whose condition is active, by priority', ['priority']);
  const aUnacked = m.gauge('twinline_alarms_unacknowledged', 'Alarms waiting for an acknowledgement, by priority', ['priority']);
  const aFlood = m.gauge('twinline_alarm_flood', '1 during an alarm flood (ISA-18.2: more than the limit in the window)');

  const seconds = (ms: number | null) => (ms === null ? 0 : ms / 1000);

  return {
    collect() {
      m.reset();
      info(1, { line: s.line.id, line_name: s.line.name });
      started(s.startedAt / 1000);

      for (const h of s.devices()) {
        const l = { device: h.deviceId, protocol: h.protocol };
        connected(h.connected ? 1 : 0, l);
        reads(h.readsTotal ?? 0, l);
        errors(h.errorsTotal ?? 0, l);
        reconnects(h.reconnects, l);
        rate(h.connected ? h.readsPerSecond : 0, l);
        latency(seconds(h.latencyMs), l);
      }

      const hist = s.historian();
      hPending(hist.pending);
      hBacklog(Math.max(0, hist.lastRecordedSeq - hist.lastAcknowledgedSeq));
      hRows(hist.rowsWritten);
      hBytes(hist.dbBytes);
      hMax(hist.maxDbBytes);
      hCommit(seconds(hist.lastAcknowledgedTs));
      hError(hist.lastError ? 1 : 0);

      const up = s.uplink();
      if (up) {
        uConnected(up.connected ? 1 : 0);
        uOnline(up.online ? 1 : 0);
        fQueued(up.queuedMetrics);
        fDropped(up.droppedMetrics);
        fReplaying(up.replaying ? 1 : 0);
        uMessages(up.messagesPublished);
        uMetrics(up.metricsPublished);
        uReplayed(up.historicalMetricsReplayed);
        uConnects(up.connects);
        uRebirths(up.rebirths);
      }

      const live = s.live();
      lClients(live.clients);
      lSent(live.messagesSent);
      lDeferred(live.deferred);
      lCatchUps(live.catchUps);
      lProtocol(live.protocolErrors);
      lQueue(live.maxQueuedPackets);

      for (const x of s.machines()) {
        const machine = x.machineId;
        for (const st of MACHINE_STATES) state(x.state === st ? 1 : 0, { machine, state: st });
        oee(x.oee.oee, { machine });
        avail(x.oee.availability, { machine });
        perf(x.oee.performance, { machine });
        qual(x.oee.quality, { machine });
        parts(x.counts.good, { machine, kind: 'good' });
        parts(x.counts.scrap, { machine, kind: 'scrap' });
        parts(x.counts.total, { machine, kind: 'total' });
        energy(x.energyKWh, { machine });
      }
      const k = s.lineKpis();
      if (k) for (const kpi of ['availability', 'performance', 'quality', 'oee'] as const) lineK(k[kpi], { kpi });

      const list = s.alarms();
      for (const priority of ALARM_PRIORITIES) {
        const of = list.alarms.filter((a) => a.priority === priority);
        for (const st of ALARM_STATES) if (st !== 'normal') aState(of.filter((a) => a.state === st).length, { state: st, priority });
        aActive(of.filter((a) => a.active).length, { priority });
        aUnacked(of.filter((a) => !a.acked && (a.state === 'active-unacked' || a.state === 'rtn-unacked')).length, { priority });
      }
      aFlood(list.flood.active ? 1 : 0);
      return m.registry;
    },
  };
}
