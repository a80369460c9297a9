// UI text in English and Simplified Chinese. Keys are English phrases' ids; a missing zh entry
// falls back to English so a new label never shows as a raw key.
import type { MachineState, MachineType } from '../../shared/plant-schema.js';

export type Lang = 'en' | 'zh-CN';

const en = {
  appTitle: 'Digital twin',
  shift: 'Shift',
  noShift: 'no shift',
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  reconnectingBanner: 'Connection to the edge lost — reconnecting… Values shown are the last received and may be stale.',
  connectingBanner: 'Connecting to the edge…',
  protocolError: 'The edge sent a message this twin does not understand',
  noWebgl: 'WebGL is not available in this browser, so the 3D view cannot be drawn. Enable hardware acceleration (or use a browser with WebGL 2); the inspector and header still show live data.',
  lineOee: 'Line OEE',
  running: 'running',
  close: 'Close',
  identification: 'Identification',
  manufacturer: 'Manufacturer',
  model: 'Model',
  serial: 'Serial no.',
  type: 'Type',
  device: 'Device',
  state: 'State',
  since: 'since',
  faultCode: 'Fault code',
  counts: 'Counts (shift)',
  total: 'Total',
  good: 'Good',
  scrap: 'Scrap',
  energy: 'Energy (shift)',
  energyPerPart: 'Energy / good part',
  oee: 'OEE',
  availability: 'Availability',
  performance: 'Performance',
  quality: 'Quality',
  tags: 'Live tags',
  tag: 'Tag',
  value: 'Value',
  deviceHealth: 'Device health',
  connectedYes: 'connected',
  connectedNo: 'disconnected',
  latency: 'Latency',
  readsPerSecond: 'Reads/s',
  reconnects: 'Reconnects',
  lastError: 'Last error',
  idealCycle: 'Ideal cycle',
  heatmap: 'Colour by',
  heatState: 'State',
  heatOee: 'OEE',
  heatEnergy: 'Energy / part',
  language: '中文',
  stale: 'stale',
  qualityGood: 'good',
  qualityUncertain: 'uncertain',
  qualityBad: 'bad',
  selectHint: 'Click a machine to inspect it',
  loading: 'Waiting for the line…',
  trend: 'Trend (10 min)',
  timeline: 'State timeline (shift)',
  historyUnavailable: 'history unavailable',
  trendHint: 'click a numeric tag to trend it',
  loginRequired: 'Log in to see the line',
  logIn: 'Log in',
  logOut: 'Log out',
  dashboard: 'KPI dashboard',
  dashboardClose: 'Back to the line',
  currentShift: 'Current shift',
  previousShift: 'closed',
  machine: 'Machine',
  line: 'Line',
  bottleneck: 'bottleneck',
  refresh: 'Refresh',
  exportCsv: 'Export CSV',
  lossWaterfall: 'Loss waterfall (minutes)',
  lossPareto: 'Losses by reason (Pareto, minutes)',
  sixBigLosses: 'Six big losses (minutes)',
  demand15: '15-minute demand (kW)',
  kWhPerPart: 'kWh / good part',
  kWh: 'kWh',
  howMade: 'How this figure was made',
  formula: 'Formula',
  inputs: 'Inputs',
  computedAt: 'computed at',
  kpiUnavailable: 'KPIs unavailable',
  noLosses: 'no losses recorded yet',
  noDemand: 'no energy recorded yet',
  clickFigure: 'click a figure to see how it was made; click a row for its losses and energy',
  replay: 'Replay',
  replayBanner: 'REPLAY',
  replayWindow: 'last',
  replayLeave: 'Back to live',
  replayPlay: 'Play',
  replayPause: 'Pause',
  replayLoading: 'loading history…',
};
export type TextKey = keyof typeof en;

const zh: Partial<Record<TextKey, string>> = {
  appTitle: '数字孪生',
  shift: '班次',
  noShift: '无班次',
  connecting: '连接中…',
  connected: '实时',
  reconnecting: '重新连接中…',
  reconnectingBanner: '与边缘服务器的连接已断开 — 正在重新连接… 显示的是最后收到的数值，可能已过时。',
  connectingBanner: '正在连接边缘服务器…',
  protocolError: '边缘服务器发送了无法识别的消息',
  noWebgl: '此浏览器不支持 WebGL，无法绘制三维视图。请开启硬件加速（或使用支持 WebGL 2 的浏览器）；标题栏和检查面板仍显示实时数据。',
  lineOee: '产线 OEE',
  running: '运行',
  close: '关闭',
  identification: '设备信息',
  manufacturer: '制造商',
  model: '型号',
  serial: '序列号',
  type: '类型',
  device: '控制器',
  state: '状态',
  since: '起始',
  faultCode: '故障代码',
  counts: '产量（本班）',
  total: '总数',
  good: '良品',
  scrap: '废品',
  energy: '能耗（本班）',
  energyPerPart: '单件能耗',
  oee: 'OEE',
  availability: '可用率',
  performance: '性能率',
  quality: '质量率',
  tags: '实时变量',
  tag: '变量',
  value: '数值',
  deviceHealth: '设备通讯状态',
  connectedYes: '已连接',
  connectedNo: '已断开',
  latency: '延迟',
  readsPerSecond: '读取/秒',
  reconnects: '重连次数',
  lastError: '最近错误',
  idealCycle: '理想节拍',
  heatmap: '着色',
  heatState: '状态',
  heatOee: 'OEE',
  heatEnergy: '单件能耗',
  language: 'EN',
  stale: '过时',
  qualityGood: '良好',
  qualityUncertain: '不确定',
  qualityBad: '坏值',
  selectHint: '点击设备查看详情',
  loading: '等待产线数据…',
  trend: '趋势（10 分钟）',
  timeline: '状态时间线（本班）',
  historyUnavailable: '历史数据不可用',
  trendHint: '点击数值变量查看趋势',
  loginRequired: '请登录后查看产线',
  logIn: '登录',
  logOut: '退出',
  dashboard: 'KPI 看板',
  dashboardClose: '返回产线',
  currentShift: '当前班次',
  previousShift: '已结束',
  machine: '设备',
  line: '产线',
  bottleneck: '瓶颈',
  refresh: '刷新',
  exportCsv: '导出 CSV',
  lossWaterfall: '损失瀑布图（分钟）',
  lossPareto: '按原因的损失（帕累托，分钟）',
  sixBigLosses: '六大损失（分钟）',
  demand15: '15 分钟需量（kW）',
  kWhPerPart: '单件能耗 kWh',
  kWh: '能耗 kWh',
  howMade: '该数值的计算方式',
  formula: '公式',
  inputs: '输入',
  computedAt: '计算时间',
  kpiUnavailable: 'KPI 不可用',
  noLosses: '暂无损失记录',
  noDemand: '暂无能耗记录',
  clickFigure: '点击数值查看计算方式；点击行查看损失和能耗',
  replay: '回放',
  replayBanner: '回放',
  replayWindow: '最近',
  replayLeave: '返回实时',
  replayPlay: '播放',
  replayPause: '暂停',
  replayLoading: '正在加载历史数据…',
};

const stateText: Record<Lang, Record<MachineState, string>> = {
  en: { running: 'Running', idle: 'Idle', down: 'Down', setup: 'Setup', 'planned-stop': 'Planned stop', 'no-data': 'No data' },
  'zh-CN': { running: '运行', idle: '空闲', down: '故障停机', setup: '换型调试', 'planned-stop': '计划停机', 'no-data': '无数据' },
};

const typeText: Record<Lang, Record<MachineType, string>> = {
  en: { robot: 'Robot', cnc: 'CNC machine', washer: 'Washer', conveyor: 'Conveyor', inspection: 'Inspection', packing: 'Packing' },
  'zh-CN': { robot: '机器人', cnc: '数控机床', washer: '清洗机', conveyor: '输送线', inspection: '视觉检测', packing: '包装站' },
};

let current: Lang = 'en';
const listeners = new Set<() => void>();

export function initialLang(stored: string | null, browser: string): Lang {
  if (stored === 'en' || stored === 'zh-CN') return stored;
  return browser.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function setLang(lang: Lang): void {
  current = lang;
  for (const l of listeners) l();
}
export function getLang(): Lang {
  return current;
}
export function onLangChange(listener: () => void): void {
  listeners.add(listener);
}
export function t(key: TextKey): string {
  return (current === 'zh-CN' ? zh[key] : undefined) ?? en[key];
}
export function tState(state: MachineState): string {
  return stateText[current][state];
}
export function tType(type: MachineType): string {
  return typeText[current][type];
}

const lossStepZh: Record<string, string> = {
  'planned operation time': '计划运行时间',
  'planned down time': '计划停机时间',
  'no data': '无数据',
  'planned busy time': '计划负荷时间',
  breakdowns: '故障停机',
  'setup and adjustments': '换型与调整',
  'idle (starved / blocked)': '空闲（缺料/堵料）',
  'micro-stops': '短暂停机',
  'actual production time': '实际生产时间',
  'run time (production + micro-stops)': '运行时间（含短暂停机）',
  'reduced speed': '速度损失',
  'net production time': '净生产时间',
  'process defects (scrap)': '工艺缺陷（废品）',
  'reduced yield (start-up scrap)': '开机损失（启动废品）',
  'fully productive time': '完全有效生产时间',
  'equipment-failure': '设备故障',
  'setup-adjustment': '换型调整',
  'idling-minor-stops': '空转与短暂停机',
  'reduced-speed': '速度降低',
  'process-defects': '工艺缺陷',
  'reduced-yield': '开机损失',
};

/** Loss-waterfall steps and six-big-loss categories come from the KPI engine in English. */
export function tLoss(step: string): string {
  return current === 'zh-CN' ? lossStepZh[step] ?? step : step.replace(/-/g, ' ');
}
