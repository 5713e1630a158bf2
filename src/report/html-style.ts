// The HTML report's stylesheet: light and dark (prefers-color-scheme), and a print layout (no
// controls, the whole table, details expanded). No web font, no url(): the page requests nothing.
export const CLIENT_CSS = `
:root{--bg:#fff;--fg:#1b1f24;--muted:#5b6570;--line:#d8dee4;--panel:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--na:#8250df;--silent:#bc4c00;--accent:#0969da;--sel:#ddf4ff;
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--panel:#161b22;--ok:#3fb950;--bad:#f85149;--warn:#d29922;--na:#a371f7;--silent:#f0883e;--accent:#4493f8;--sel:#102a44}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg)}
header,main{max-width:1400px;margin:0 auto;padding:0 16px}
h1{font-size:20px;margin:16px 0 4px}
h2{font-size:16px;margin:16px 0 8px}
h3{font-size:14px;margin:12px 0 4px}
.headline{font-size:16px;margin:4px 0}
.runline,.shown,.muted{color:var(--muted)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:var(--panel);border:1px solid var(--line);padding:8px;overflow:auto;max-height:420px;white-space:pre-wrap;word-break:break-all}
.tiles{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.tile{display:flex;flex-direction:column;align-items:flex-start;min-width:120px;padding:8px 12px;border:1px solid var(--line);border-radius:6px;background:var(--panel);color:var(--fg);font:inherit;cursor:pointer;text-align:left}
.tile:hover,.tile.on{border-color:var(--accent)}
.tile .num{font-size:24px;font-weight:600;line-height:1.1}
.tile .lbl{color:var(--muted)}
.tiles.causes .tile,.tiles.extra .tile{min-width:90px;padding:4px 10px}
.tiles.causes .num,.tiles.extra .num{font-size:16px}
.tile.zero{opacity:.55}
.t-compliant .num{color:var(--ok)}.t-noncompliant .num{color:var(--bad)}.t-notAudited .num,.t-cause .num{color:var(--na)}.t-silentFallback .num{color:var(--silent)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px;margin:8px 0}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px;background:var(--panel)}
figcaption{font-weight:600;margin-bottom:4px}
svg text{fill:var(--fg);font-size:12px}
svg .bar{cursor:pointer}
svg .bar:hover rect{opacity:.8}
.s-compliant{fill:var(--ok)}.s-noncompliant{fill:var(--bad)}.s-na{fill:var(--na)}.sev-error{fill:var(--bad)}.sev-warning{fill:var(--warn)}.sev-info{fill:var(--accent)}
.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:12px 0 8px}
.filters label{display:flex;gap:4px;align-items:center;color:var(--muted)}
input,select,button.plain{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:3px 6px}
input[type=search]{min-width:240px}
.table-wrap{height:60vh;min-height:240px;overflow:auto;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;table-layout:fixed}
thead th{position:sticky;top:0;background:var(--panel);text-align:left;font-weight:600;border-bottom:1px solid var(--line);padding:0 8px;height:30px;cursor:pointer;user-select:none;white-space:nowrap}
thead th.sorted::after{content:" \\25B4"}thead th.sorted.desc::after{content:" \\25BE"}
tbody td{height:28px;padding:0 8px;border-bottom:1px solid var(--line);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
tbody tr.row{cursor:pointer}
tbody tr.row:hover{background:var(--panel)}
tbody tr.row.selected{background:var(--sel)}
tr.spacer td{padding:0;border:0;height:auto}
col.c-host{width:22%}col.c-status{width:12%}col.c-n{width:6%}col.c-groups{width:14%}col.c-problem{width:40%}
.badge{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;border:1px solid currentColor}
.st-compliant{color:var(--ok)}.st-noncompliant{color:var(--bad)}.st-na{color:var(--na)}
.silent{color:var(--silent);font-weight:600}
.new{color:var(--bad);font-weight:600}.resolved{color:var(--ok);font-weight:600}
.detail{border:1px solid var(--line);border-radius:6px;padding:8px 16px;margin:16px 0;background:var(--bg)}
.detail .close{float:right}
.finding{border-left:4px solid var(--line);padding:4px 12px;margin:10px 0}
.finding.error{border-color:var(--bad)}.finding.warning{border-color:var(--warn)}.finding.info{border-color:var(--accent)}.finding.waived{border-color:var(--muted);opacity:.85}
.finding dl,.meta dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:4px 0}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
details>summary{cursor:pointer;color:var(--accent)}
.changes{border:1px solid var(--line);border-radius:6px;padding:8px 16px;margin:8px 0}
.noscript{border:1px solid var(--warn);padding:8px}
@media print{
:root{--bg:#fff;--fg:#000;--panel:#fff;--line:#999;--muted:#444}
.filters,.detail .close,.charts svg .bar:hover rect{display:none}
.table-wrap{height:auto;overflow:visible;border:0}
thead th{position:static}
tbody tr{break-inside:avoid}
.tile{border-color:#999}
pre{max-height:none}
details>*{display:block}
a{color:inherit;text-decoration:none}
}
`;
