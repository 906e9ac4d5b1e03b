// The live dashboard: subscribes to /api/stream (server-sent events, one state snapshot per
// frame) and redraws the intersection, the sensor charts (uPlot) and the fault list.
/* global uPlot */
'use strict';

const POINTS = 240; // per chart, about a minute at four frames a second
const charts = new Map(); // stream name -> { plot, t, v, s, el }
const $ = (id) => document.getElementById(id);
window.__dashboard = { frames: 0, lastSeq: -1 };

function headEl(p) {
  let el = document.querySelector(`.head[data-phase="${p.phase}"]`);
  if (!el) {
    el = document.createElement('div');
    el.className = 'head';
    el.dataset.phase = String(p.phase);
    el.innerHTML = `<div class="label">Φ${p.phase}</div><div class="lamp red"></div><div class="lamp yellow"></div><div class="lamp green"></div><div class="call"></div>`;
    $('intersection').appendChild(el);
  }
  return el;
}

function drawPhases(phases) {
  for (const p of phases) {
    const el = headEl(p);
    el.dataset.indication = p.indication;
    for (const c of ['red', 'yellow', 'green']) el.querySelector(`.lamp.${c}`).classList.toggle('on', !!p.lamps[c]);
    el.querySelector('.call').textContent = p.call ? 'call' : '';
  }
}

function chartFor(st) {
  let c = charts.get(st.name);
  if (c) return c;
  const el = document.createElement('div');
  el.className = 'chart';
  el.dataset.stream = st.name;
  el.innerHTML = `<div class="title">${st.name} <span class="unit">${st.unit}</span></div>`;
  $('charts').appendChild(el);
  const opts = {
    width: 420,
    height: 150,
    legend: { show: false },
    scales: { x: { time: true }, score: { range: [0, 1] } },
    axes: [
      { stroke: '#999', grid: { stroke: '#2a2a2a' } },
      { stroke: '#9cf', grid: { stroke: '#2a2a2a' }, size: 60, values: (u, vals) => vals.map(fmt) },
      { scale: 'score', side: 1, stroke: '#f66', grid: { show: false }, size: 35 },
    ],
    series: [{}, { label: st.name, stroke: '#4fc3f7', width: 1.5 }, { label: 'score', scale: 'score', stroke: '#ff5252', width: 1 }],
  };
  c = { t: [], v: [], s: [], el, plot: null };
  c.plot = new uPlot(opts, [c.t, c.v, c.s], el);
  charts.set(st.name, c);
  return c;
}

function drawStreams(snap) {
  const t = snap.at / 1000;
  for (const st of snap.streams) {
    if (st.value === null) continue;
    const c = chartFor(st);
    c.t.push(t);
    c.v.push(st.value);
    c.s.push(st.score);
    if (c.t.length > POINTS) { c.t.shift(); c.v.shift(); c.s.shift(); }
    c.plot.setData([c.t, c.v, c.s]);
    c.el.dataset.points = String(c.t.length);
    c.el.dataset.last = String(st.value);
    c.el.classList.toggle('alerting', st.alerting);
  }
}

function fmt(v) {
  if (v === null || v === undefined) return '';
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

function row(cells, tag = 'td') {
  return `<tr>${cells.map((x) => `<${tag}>${x}</${tag}>`).join('')}</tr>`;
}

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function drawTables(snap) {
  const c = snap.counters;
  $('counters').innerHTML =
    row(['samples', c.samples]) + row(['alerts', c.alerts]) + row(['phase changes', c.phaseChanges]) +
    row(['monitor trips', c.monitorTrips]) + row(['raw bytes', c.rawBytes]) + row(['uplinked bytes', c.uplinkedBytes]) +
    row(['RSS', `${snap.rssMb.toFixed(1)} MB`]);
  $('stages').innerHTML = row(['stage', 'policy', 'depth', 'dropped', 'spilled', 'lag ms'], 'th') +
    snap.stages.map((q) => row([q.name, q.policy, `${q.depth}/${q.capacity}`, q.dropped, q.spilled, Math.round(q.lagMs)])).join('');
  $('threads').innerHTML = row(['tid', 'thread', 'role', 'cpus'], 'th') +
    snap.threads.map((t) => row([t.tid, esc(t.name), t.role, t.effective + (t.realtime ? ' rt' : '')])).join('');
  $('faults').innerHTML = snap.faults.slice().reverse().map((f) =>
    `<li class="${f.kind === 'alert' ? 'alert' : 'fault'}">${esc(f.at.slice(11, 19))} <b>${esc(f.source)}</b> ${esc(f.message)}</li>`).join('');
  $('missing').textContent = snap.missing.length ? `not running: ${snap.missing.join('; ')}` : '';
  const ctl = snap.controller;
  $('controller').textContent = Object.keys(ctl).length ? Object.entries(ctl).map(([k, v]) => `${k}: ${v}`).join(' · ') : '';
}

function draw(snap) {
  $('site').textContent = snap.site;
  $('board').textContent = `board ${snap.board}`;
  $('uptime').textContent = `up ${Math.round(snap.uptimeS)} s`;
  const h = $('health');
  const ok = snap.monitor.healthy && !snap.monitor.tripped;
  h.textContent = ok ? 'healthy' : snap.monitor.reason || 'fault';
  h.className = `badge ${ok ? 'ok' : 'bad'}`;
  drawPhases(snap.phases);
  drawStreams(snap);
  drawTables(snap);
  window.__dashboard.frames++;
  window.__dashboard.lastSeq = snap.seq;
}

const es = new EventSource('/api/stream');
es.onmessage = (ev) => draw(JSON.parse(ev.data));
es.onerror = () => { const h = $('health'); h.textContent = 'disconnected'; h.className = 'badge bad'; };
