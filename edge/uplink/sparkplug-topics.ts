// Sparkplug B 3.0 topic namespace (§4.1): spBv1.0/<group>/<type>/<edge node>[/<device>],
// and spBv1.0/STATE/<host id> for host applications.
export const NAMESPACE = 'spBv1.0';

export const NODE_MESSAGE_TYPES = ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'] as const;
export const DEVICE_MESSAGE_TYPES = ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'] as const;
export type NodeMessageType = (typeof NODE_MESSAGE_TYPES)[number];
export type DeviceMessageType = (typeof DEVICE_MESSAGE_TYPES)[number];
export type MessageType = NodeMessageType | DeviceMessageType;

export interface NodeAddress {
  groupId: string;
  edgeNodeId: string;
}

export type ParsedTopic =
  | ({ kind: 'node'; type: NodeMessageType } & NodeAddress)
  | ({ kind: 'device'; type: DeviceMessageType; deviceId: string } & NodeAddress)
  | { kind: 'state'; hostId: string };

export function nodeTopic(type: NodeMessageType, node: NodeAddress): string {
  return `${NAMESPACE}/${node.groupId}/${type}/${node.edgeNodeId}`;
}

export function deviceTopic(type: DeviceMessageType, node: NodeAddress, deviceId: string): string {
  return `${NAMESPACE}/${node.groupId}/${type}/${node.edgeNodeId}/${deviceId}`;
}

export function stateTopic(hostId: string): string {
  return `${NAMESPACE}/STATE/${hostId}`;
}

/** Null for anything outside the Sparkplug B namespace or malformed (a host ignores those). */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== NAMESPACE) return null;
  if (parts[1] === 'STATE') return parts.length === 3 && parts[2] ? { kind: 'state', hostId: parts[2] } : null;
  const [, groupId, type, edgeNodeId, deviceId] = parts;
  if (!groupId || !type || !edgeNodeId) return null;
  if ((NODE_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return parts.length === 4 ? { kind: 'node', type: type as NodeMessageType, groupId, edgeNodeId } : null;
  }
  if ((DEVICE_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return parts.length === 5 && deviceId ? { kind: 'device', type: type as DeviceMessageType, groupId, edgeNodeId, deviceId } : null;
  }
  return null;
}

/** Sparkplug 3.0 §4.2: STATE payload is JSON, retained, QoS 1. */
export interface HostState {
  online: boolean;
  timestamp: number;
}

export function parseHostState(payload: Uint8Array): HostState | null {
  try {
    const v = JSON.parse(Buffer.from(payload).toString('utf8')) as unknown;
    if (v && typeof v === 'object' && typeof (v as HostState).online === 'boolean' && typeof (v as HostState).timestamp === 'number') {
      return { online: (v as HostState).online, timestamp: (v as HostState).timestamp };
    }
  } catch {
    // not JSON: a Sparkplug 2.2 host's "ONLINE"/"OFFLINE" text is not spoken here
  }
  return null;
}

/** Sequence numbers run 0…255 and wrap (Sparkplug 3.0 §6.4.3). */
export const nextSeq = (seq: number): number => (seq + 1) & 0xff;
