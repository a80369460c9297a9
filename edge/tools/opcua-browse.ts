// Walks an OPC UA server's address space: for the browse CLI, and for turning chosen
// nodes into plant-file tags. Pure helpers (snippet) are separate from the session I/O.
import {
  AttributeIds, BrowseDirection, DataType, NodeClass, type ClientSession, type ReferenceDescription,
} from 'node-opcua';
import type { DataType as TagDataType } from '../../shared/plant-schema.js';

export interface BrowsedNode {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: 'Object' | 'Variable' | 'Method' | 'Other';
  dataType?: string;
  unit?: string;
  children: BrowsedNode[];
}

const TAG_TYPES: Partial<Record<DataType, TagDataType>> = {
  [DataType.Boolean]: 'bool', [DataType.Int16]: 'int16', [DataType.UInt16]: 'uint16', [DataType.Int32]: 'int32',
  [DataType.UInt32]: 'uint32', [DataType.Float]: 'float32', [DataType.Double]: 'float64', [DataType.String]: 'string',
  [DataType.Byte]: 'uint16', [DataType.SByte]: 'int16', [DataType.Int64]: 'float64', [DataType.UInt64]: 'float64',
};

/** The plant-file type for an OPC UA built-in data type name ("Double" → float64), or undefined: twinline cannot hold it. */
export function tagTypeOf(dataType: string | undefined): TagDataType | undefined {
  return TAG_TYPES[DataType[(dataType ?? '') as keyof typeof DataType] as DataType];
}

function nodeClassName(c: NodeClass): BrowsedNode['nodeClass'] {
  if (c === NodeClass.Object) return 'Object';
  if (c === NodeClass.Variable) return 'Variable';
  if (c === NodeClass.Method) return 'Method';
  return 'Other';
}

async function children(session: ClientSession, nodeId: string): Promise<ReferenceDescription[]> {
  const result = await session.browse({
    nodeId, browseDirection: BrowseDirection.Forward, referenceTypeId: 'HierarchicalReferences', includeSubtypes: true,
    nodeClassMask: NodeClass.Object | NodeClass.Variable | NodeClass.Method, resultMask: 63,
  });
  return result.references ?? [];
}

export interface BrowseOptions {
  depth: number;
  /** Skip the standard Server object (ns=0;i=2253) unless asked for. */
  includeServerObject: boolean;
  /** Stop after this many nodes: a browse started from the twin must not walk a huge server to the end. */
  maxNodes?: number;
}

export async function browseTree(session: ClientSession, rootNodeId: string, options: BrowseOptions): Promise<BrowsedNode[]> {
  let budget = options.maxNodes ?? Infinity;
  const walk = async (nodeId: string, depth: number): Promise<BrowsedNode[]> => {
    if (depth <= 0) return [];
    const refs = (await children(session, nodeId)).filter((r) => options.includeServerObject || r.nodeId.toString() !== 'ns=0;i=2253');
    const out: BrowsedNode[] = [];
    for (const ref of refs) {
      if (budget-- <= 0) break;
      const id = ref.nodeId.toString();
      const node: BrowsedNode = {
        nodeId: id, browseName: ref.browseName.name ?? '', displayName: ref.displayName.text ?? '',
        nodeClass: nodeClassName(ref.nodeClass), children: [],
      };
      if (node.nodeClass === 'Variable') {
        const builtIn = await session.getBuiltInDataType(ref.nodeId).catch(() => undefined);
        if (builtIn !== undefined) node.dataType = DataType[builtIn];
        node.unit = await engineeringUnit(session, id);
      }
      // Variables may have properties (EngineeringUnits…) but rarely children worth a tag.
      if (node.nodeClass === 'Object') node.children = await walk(id, depth - 1);
      out.push(node);
    }
    return out;
  };
  return walk(rootNodeId, options.depth);
}

async function engineeringUnit(session: ClientSession, variableId: string): Promise<string | undefined> {
  const props = await children(session, variableId).catch(() => []);
  const eu = props.find((p) => p.browseName.name === 'EngineeringUnits');
  if (!eu) return undefined;
  const dv = await session.read({ nodeId: eu.nodeId, attributeId: AttributeIds.Value });
  const text = (dv.value?.value as { displayName?: { text?: string } } | undefined)?.displayName?.text;
  return text ?? undefined;
}

export function formatTree(nodes: BrowsedNode[], indent = ''): string {
  return nodes
    .map((n) => {
      const detail = n.nodeClass === 'Variable' ? ` : ${n.dataType ?? '?'}${n.unit ? ` [${n.unit}]` : ''}` : n.nodeClass === 'Method' ? ' ()' : '';
      const line = `${indent}${n.nodeClass === 'Object' ? '▸' : '·'} ${n.browseName}${detail}   ${n.nodeId}`;
      return [line, formatTree(n.children, `${indent}  `)].filter(Boolean).join('\n');
    })
    .join('\n');
}

function flatten(nodes: BrowsedNode[]): BrowsedNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

/** A tag name from a browse name: `SpindleTemperature` → `spindleTemperature`. */
export function tagNameOf(browseName: string): string {
  const cleaned = browseName.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  const named = /^[A-Za-z]/.test(cleaned) ? cleaned : `t_${cleaned}`;
  return named.charAt(0).toLowerCase() + named.slice(1);
}

/**
 * The plant-file `tags:` entries for the variables under `selected` node ids (or the
 * variables themselves). Variables of types twinline cannot hold are listed as comments.
 */
export function plantSnippet(tree: BrowsedNode[], selected: string[]): string {
  const all = flatten(tree);
  const chosen = all.filter((n) => selected.includes(n.nodeId) || selected.includes(n.browseName));
  const variables = chosen.flatMap((n) => (n.nodeClass === 'Variable' ? [n] : flatten(n.children).filter((c) => c.nodeClass === 'Variable')));
  const skipped: string[] = [];
  const tags = variables.flatMap((v) => {
    const type = TAG_TYPES[DataType[(v.dataType ?? '') as keyof typeof DataType] as DataType];
    if (!type) {
      skipped.push(`# skipped ${v.nodeId} (${v.browseName}): data type ${v.dataType ?? 'unknown'} is not supported`);
      return [];
    }
    const unit = v.unit ? `, unit: ${JSON.stringify(v.unit)}` : '';
    return [`  - { name: ${tagNameOf(v.browseName)}, type: ${type}${unit}, opcua: { nodeId: ${JSON.stringify(v.nodeId)} } }`];
  });
  return ['tags:', ...tags, ...skipped].join('\n');
}
