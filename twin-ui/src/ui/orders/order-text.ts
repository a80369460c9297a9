// Words of the order and scrap panel in both languages (kept beside the panel: they belong to it alone).
import { getLang } from '../../i18n.js';
import type { CountingMode } from '../../../../shared/count-roles.js';

const en = {
  orders: 'Orders', title: 'Work orders', current: 'On the line', none: 'No order running', start: 'Start', pause: 'Pause', complete: 'Complete',
  resume: 'Resume', planned: 'planned', running: 'running', paused: 'paused', completed: 'completed', queue: 'Orders to run', noQueue: 'No planned orders',
  progress: (good: number, qty: number) => `${good} / ${qty} good`, recipe: 'Download the recipe to the PLCs', recipeHint: (n: number) => `${n} setpoint(s) are written, read back and logged`,
  importCsv: 'Import CSV…', imported: (n: number) => `${n} order(s) imported`,
  create: 'New order', orderId: 'Order no.', product: 'Product', quantity: 'Quantity', add: 'Create', scrapTitle: 'Book scrap', machine: 'Machine',
  reason: 'Reason', reasonPlaceholder: 'e.g. burr on the bore', source: 'Found by', operator: 'operator', quality: 'quality',
  book: 'Book scrap', booked: (n: number, m: string) => `${n} booked as scrap at ${m}`, recent: 'Recent scrap', started: 'Started', done: 'Done', atMachines: 'At the machines',
  confirmComplete: 'Tap again to complete', plc: 'PLC', setup: 'changeover',
  counting: { 'total+good': 'counts total and good parts', 'total+scrap': 'counts total and rejects', 'good+scrap': 'counts good parts and rejects', 'total-only': 'part counter only: parts are good until scrap is booked', 'good-only': 'good counter only', none: 'no part counter' } as Record<CountingMode, string>,
  reasons: ['burr', 'dimension out of tolerance', 'surface damage', 'wrong material', 'set-up part'],
};
type Texts = typeof en;
const zh: Texts = {
  orders: '工单', title: '生产工单', current: '当前工单', none: '无运行中的工单', start: '开始', pause: '暂停', complete: '完成',
  resume: '继续', planned: '计划', running: '生产中', paused: '已暂停', completed: '已完成', queue: '待生产工单', noQueue: '无计划工单',
  progress: (good, qty) => `合格 ${good} / ${qty}`, recipe: '将配方下发到 PLC', recipeHint: (n) => `写入 ${n} 个设定值，回读并记录`,
  importCsv: '导入 CSV…', imported: (n) => `已导入 ${n} 个工单`,
  create: '新建工单', orderId: '工单号', product: '产品', quantity: '数量', add: '创建', scrapTitle: '报废登记', machine: '设备',
  reason: '原因', reasonPlaceholder: '例如：孔口毛刺', source: '发现者', operator: '操作员', quality: '质检',
  book: '登记报废', booked: (n, m) => `${m} 已登记报废 ${n} 件`, recent: '最近报废', started: '已开始', done: '已完成', atMachines: '各设备',
  confirmComplete: '再点一次确认完成', plc: 'PLC', setup: '换型',
  counting: { 'total+good': '计总数和合格数', 'total+scrap': '计总数和废品数', 'good+scrap': '计合格数和废品数', 'total-only': '仅计件：登记报废前均视为合格', 'good-only': '仅计合格数', none: '无计件信号' },
  reasons: ['孔口毛刺', '尺寸超差', '表面损伤', '材料错误', '调机件'],
};

export function ox(): Texts {
  return getLang() === 'zh-CN' ? zh : en;
}
