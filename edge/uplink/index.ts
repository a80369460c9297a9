// The Sparkplug B uplink to a plant host (edge node), and the protocol pieces the host reuses (codec, topics, metric catalogue).
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { summariseAlarms } from './alarm-metrics.js';
export { createEdgeNode } from './edge-node.js';
export type { EdgeNode, EdgeNodeOptions, RemoteCommandHandler, RemoteCommandOrigin, RemoteCommandOutcome, UplinkHealth, UplinkSource } from './edge-node.js';
export { ALARM_METRIC, COMMAND_REQUEST, COMMAND_RESULT, DEVICE_FIELDS, MACHINE_FIELDS, NODE_METRIC, TAG_PREFIX, parseDeviceMetricName, qualityFromCode } from './metric-catalogue.js';
export type { KpiSettingsMetric } from './metric-catalogue.js';
export { brokerOptions, redactUrl } from './mqtt-options.js';
export { commandServiceHandler } from './remote-commands.js';
export { decodePayload, encodePayload } from './sparkplug-codec.js';
export type { Metric, Payload, SparkplugType } from './sparkplug-codec.js';
export { NAMESPACE, deviceTopic, nextSeq, nodeTopic, parseHostState, parseTopic, stateTopic } from './sparkplug-topics.js';
export type { DeviceMessageType, NodeMessageType } from './sparkplug-topics.js';
