// The host's index page: every line of the plant with its edge's state, its machines by state,
// its OEE (recomputed on the host) and its alarms, refreshed every few seconds from /api/lines,
// each line linking to its twin under /lines/<group>/<edge node>/. The script is a file of its
// own because the security headers allow scripts from this server only (no inline script).

export const PLANT_PAGE = (hostId: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 16 16%22%3E%3Crect width=%2216%22 height=%2216%22 rx=%223%22 fill=%22%2367e8f9%22/%3E%3C/svg%3E">
<title>twinline plant — ${escapeHtml(hostId)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:2rem;background:#0f172a;color:#e2e8f0}
h1{font-size:1.3rem;margin:0 0 .3rem} p.sub{color:#94a3b8;margin:0 0 1.2rem}
table{border-collapse:collapse;width:100%} th,td{padding:.45rem .6rem;border-bottom:1px solid #334155;text-align:left;vertical-align:top}
th{color:#94a3b8;font-weight:500} a{color:#67e8f9} .off{color:#f87171} .on{color:#4ade80}
.st{display:inline-block;margin:0 .5rem .2rem 0;white-space:nowrap} .dot{display:inline-block;width:.6rem;height:.6rem;border-radius:50%;margin-right:.25rem}
.running{background:#22c55e}.idle{background:#eab308}.down{background:#ef4444}.setup{background:#3b82f6}.planned-stop{background:#a855f7}.no-data{background:#64748b}
.num{font-variant-numeric:tabular-nums} #msg{color:#fbbf24;margin:.8rem 0}
</style></head>
<body><h1>twinline plant host <span id="host">${escapeHtml(hostId)}</span></h1>
<p class="sub">Every line publishing to the broker. OEE is the current shift's, recomputed on the host (bottleneck method).</p>
<div id="msg" hidden></div>
<table data-testid="plant-lines"><thead><tr><th>Line</th><th>Edge</th><th>Machines by state</th><th>OEE</th><th>A · P · Q</th><th>Shift</th><th>Alarms</th></tr></thead><tbody id="lines"></tbody></table>
<script src="plant.js"></script></body></html>`;

export const PLANT_SCRIPT = `(() => {
  const body = document.getElementById('lines');
  const msg = document.getElementById('msg');
  const pct = (x) => (x === null || x === undefined ? '–' : (100 * x).toFixed(1) + ' %');
  const cell = (tr, text, cls) => { const td = document.createElement('td'); if (cls) td.className = cls; td.textContent = text; tr.appendChild(td); return td; };
  function render(lines) {
    body.textContent = '';
    for (const l of lines) {
      const tr = document.createElement('tr');
      tr.dataset.line = l.key;
      const name = document.createElement('td');
      if (l.served) { const a = document.createElement('a'); a.href = l.path; a.textContent = l.name; name.appendChild(a); } else name.textContent = l.name;
      tr.appendChild(name);
      cell(tr, (l.online ? 'online' : 'offline') + ' · ' + l.key, l.online ? 'on' : 'off');
      const states = document.createElement('td');
      for (const [s, n] of Object.entries(l.states)) {
        if (!n) continue;
        const span = document.createElement('span'); span.className = 'st'; span.dataset.state = s;
        const dot = document.createElement('span'); dot.className = 'dot ' + s; span.appendChild(dot);
        span.appendChild(document.createTextNode(n + ' ' + s)); states.appendChild(span);
      }
      tr.appendChild(states);
      cell(tr, l.kpis ? pct(l.kpis.oee) : '–', 'num oee');
      cell(tr, l.kpis ? [pct(l.kpis.availability), pct(l.kpis.performance), pct(l.kpis.quality)].join(' · ') : '–', 'num');
      cell(tr, l.kpis ? l.kpis.shift.name + ' · bottleneck ' + l.kpis.bottleneck : 'no shift');
      cell(tr, l.alarms.active ? l.alarms.active + ' active' + (l.alarms.highestPriority ? ' (' + l.alarms.highestPriority + ')' : '') : (l.alarms.unacknowledged ? l.alarms.unacknowledged + ' to acknowledge' : 'none'));
      body.appendChild(tr);
    }
  }
  async function refresh() {
    try {
      const res = await fetch('api/lines', { headers: { accept: 'application/json' } });
      if (res.status === 401) {
        msg.hidden = false; msg.textContent = '';
        const a = document.createElement('a'); a.href = 'login?next=' + encodeURIComponent(location.pathname); a.textContent = 'Log in';
        msg.appendChild(a); msg.appendChild(document.createTextNode(' to see the plant.'));
        return;
      }
      const answer = await res.json();
      msg.hidden = true;
      render(answer.lines);
    } catch (err) {
      msg.hidden = false; msg.textContent = 'the host cannot be reached: ' + err.message;
    }
  }
  refresh();
  setInterval(refresh, 3000);
})();`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
