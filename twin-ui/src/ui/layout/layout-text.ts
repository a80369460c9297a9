// Words of the layout mode in both languages (kept beside it, as the shop-floor panels do).
import { getLang } from '../../i18n.js';

const en = {
  layout: 'Layout', title: 'Layout mode', move: 'Move', area: 'Add area', conveyor: 'Draw conveyor', rotate: 'Rotate 15°',
  grid: 'Grid (m)', areaName: 'Area name', floorPlan: 'Floor plan', scale: 'm per pixel', save: 'Save', close: 'Close',
  saved: (summary: string) => `Saved and applied: ${summary}`, saving: 'Saving…', loading: 'Loading…', uploaded: (name: string, w: number, h: number) => `Floor plan ${name} (${w}×${h} px)`,
  pickFrom: 'Click the machine the conveyor starts at', pickTo: (from: string) => `From ${from}: click the machine it runs to`,
  dragArea: 'Drag a rectangle on the floor for the area', hint: 'Drag machines to place them (snaps to the grid); select one and rotate it.',
  unsaved: 'Unsaved changes', remove: 'Remove', selected: (name: string) => `Selected: ${name}`, reloadFailed: 'The plant file on disk is invalid',
  addMachine: 'Add machine', device: 'Device', machineName: 'Name', machineType: 'Type', cycle: 'Ideal cycle (s)', browse: 'Browse', addIt: 'Add to plant', unit: 'unit',
  addRow: '+ register', testRead: 'Test read', registerHead: 'name · role · type · table · address (0-based) · unit · scale',
  added: (summary: string) => `Added (${summary}); the edge is applying it`,
  newOpcUa: '+ new OPC UA server', newModbus: '+ new Modbus TCP device', deviceId: 'Device id', endpoint: 'Endpoint URL', securityMode: 'Security mode',
  securityPolicy: 'Policy', username: 'User (optional)', passwordEnv: 'Password env variable', host: 'Host', port: 'Port', unitId: 'Unit id',
  emptyAdmin: 'No machines yet — open layout mode to add one', emptyOthers: 'No machines yet — an admin adds them in layout mode', openLayout: 'Open layout mode',
};
type Texts = typeof en;
const zh: Texts = {
  layout: '布局', title: '布局模式', move: '移动', area: '添加区域', conveyor: '绘制输送线', rotate: '旋转 15°',
  grid: '网格（米）', areaName: '区域名称', floorPlan: '平面图', scale: '米/像素', save: '保存', close: '关闭',
  saved: (summary) => `已保存并生效：${summary}`, saving: '正在保存…', loading: '正在加载…', uploaded: (name, w, h) => `平面图 ${name}（${w}×${h} 像素）`,
  pickFrom: '点击输送线起点设备', pickTo: (from) => `起点 ${from}：点击终点设备`,
  dragArea: '在地面上拖出区域矩形', hint: '拖动设备放置（吸附网格）；选中后可旋转。',
  unsaved: '有未保存的修改', remove: '删除', selected: (name) => `已选中：${name}`, reloadFailed: '磁盘上的工厂文件无效',
  addMachine: '添加设备', device: '设备', machineName: '名称', machineType: '类型', cycle: '理想节拍（秒）', browse: '浏览', addIt: '加入工厂', unit: '单位',
  addRow: '+ 寄存器', testRead: '试读', registerHead: '名称 · 角色 · 类型 · 区 · 地址（从 0 起）· 单位 · 倍率',
  added: (summary) => `已添加（${summary}），边缘端正在应用`,
  newOpcUa: '+ 新的 OPC UA 服务器', newModbus: '+ 新的 Modbus TCP 设备', deviceId: '设备编号', endpoint: '端点地址', securityMode: '安全模式',
  securityPolicy: '安全策略', username: '用户名（可选）', passwordEnv: '密码环境变量', host: '主机', port: '端口', unitId: '站号',
  emptyAdmin: '还没有设备——打开布局模式添加', emptyOthers: '还没有设备——由管理员在布局模式中添加', openLayout: '打开布局模式',
};

export function lx(): Texts {
  return getLang() === 'zh-CN' ? zh : en;
}
