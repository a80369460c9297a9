// Words of the operator's shop-floor panels (stops, reason prompt, handover) in both languages.
// Kept beside the panels rather than in i18n.ts: the reason names themselves come bilingual from
// the edge's reason tree, and these few dozen words belong to these panels alone.
import { getLang } from '../../i18n.js';

const en = {
  stops: 'Stops', handover: 'Handover', close: 'Close', machine: 'Machine', stopList: 'Stops this shift', noStops: 'No stops this shift',
  micro: (n: number, min: string) => `${n} micro-stops (under the threshold) · ${min}, grouped`, running: 'still down', fault: 'fault',
  plc: 'PLC', operator: 'operator', unclassified: 'Unclassified', reason: 'Reason', split: 'Split', history: 'History',
  promptTitle: (machine: string, dur: string) => `${machine} has been stopped for ${dur} — why?`, promptMore: (n: number) => `+${n} more`,
  giveReason: 'Give reason', oneReason: 'One reason', splitStop: 'Split into two', part: (n: number) => `Part ${n}`,
  splitAt: 'Split at', save: 'Save', cancel: 'Cancel', saved: 'Saved', plcSays: 'PLC says', by: 'by', losses: 'Losses by reason (this shift)',
  unclassifiedBar: 'Unclassified stops', noLosses: 'No losses booked yet', pickReason: 'Pick a reason', pickBoth: 'Pick a reason for both parts',
  notes: 'Notes this shift', openIssues: 'Open issues', noNotes: 'No notes yet', writeNote: 'What should the next shift know?',
  addNote: 'Add note', addIssue: 'Add as open issue', closeIssue: 'Close issue', lastReport: 'Last shift report', print: 'Printable page', csv: 'CSV',
  noReport: 'No shift report yet (made when a shift ends)', shift: 'Shift', issueFrom: 'from', classifiedBy: 'classified by',
  lossesByOperatorReason: 'Losses by operator reason (this shift)', oeeWithReasons: 'OEE with the reasons applied',
};
type Texts = typeof en;
const zh: Texts = {
  stops: '停机', handover: '交接班', close: '关闭', machine: '设备', stopList: '本班停机', noStops: '本班无停机',
  micro: (n, min) => `${n} 次小停机（低于阈值）· ${min}，合并统计`, running: '仍在停机', fault: '故障',
  plc: 'PLC', operator: '操作员', unclassified: '未分类', reason: '原因', split: '拆分', history: '历史',
  promptTitle: (machine, dur) => `${machine} 已停机 ${dur}——原因？`, promptMore: (n) => `另有 ${n} 个`,
  giveReason: '填写原因', oneReason: '单一原因', splitStop: '拆分为两段', part: (n) => `第 ${n} 段`,
  splitAt: '拆分时刻', save: '保存', cancel: '取消', saved: '已保存', plcSays: 'PLC 判断', by: '由', losses: '按原因的损失（本班）',
  unclassifiedBar: '未分类停机', noLosses: '尚无损失', pickReason: '请选择原因', pickBoth: '请为两段都选择原因',
  notes: '本班交接记录', openIssues: '未关闭问题', noNotes: '暂无记录', writeNote: '下一班需要知道什么？',
  addNote: '添加记录', addIssue: '添加为未关闭问题', closeIssue: '关闭问题', lastReport: '上一班报告', print: '打印页面', csv: 'CSV',
  noReport: '暂无班次报告（班次结束时生成）', shift: '班次', issueFrom: '来自', classifiedBy: '分类人',
  lossesByOperatorReason: '按操作员原因的损失（本班）', oeeWithReasons: '按原因修正后的 OEE',
};

export function tx(): Texts {
  return getLang() === 'zh-CN' ? zh : en;
}

/** A bilingual name from the edge in the current language. */
export function nameOf(name: { en: string; 'zh-CN': string }): string {
  return getLang() === 'zh-CN' ? name['zh-CN'] : name.en;
}

export function minutes(seconds: number): string {
  const m = seconds / 60;
  return getLang() === 'zh-CN' ? `${m.toFixed(1)} 分钟` : `${m.toFixed(1)} min`;
}
