import uPlot from '/assets/vendor/uPlot.esm.js';
import { h } from './dom.js';

const palette = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

function themeColor(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

// A time-series chart; series = [{ label, points: [[unixSeconds, value], ...] }]. Series are
// aligned on the union of their timestamps (gaps stay gaps).
export function timeChart(title, series, { unit = '', height = 220 } = {}) {
  const container = h('div', { class: 'card chart', 'data-chart': title }, h('h2', {}, title));
  if (!series.length || series.every(one => !one.points.length)) {
    container.append(h('p', { class: 'empty' }, 'No samples in this range yet.'));
    return container;
  }
  const times = [...new Set(series.flatMap(one => one.points.map(point => point[0])))].sort((a, b) => a - b);
  const index = new Map(times.map((time, i) => [time, i]));
  const data = [times, ...series.map(one => {
    const column = new Array(times.length).fill(null);
    for (const [time, value] of one.points) column[index.get(time)] = value;
    return column;
  })];
  const axis = { stroke: themeColor('--muted'), grid: { stroke: themeColor('--border'), width: 1 }, ticks: { stroke: themeColor('--border') } };
  const options = {
    width: 600,
    height,
    series: [{}, ...series.map((one, i) => ({ label: one.label, stroke: palette[i % palette.length], width: 1.5, spanGaps: false, points: { show: one.points.length < 3 } }))],
    axes: [axis, { ...axis, values: (u, values) => values.map(v => `${formatNumber(v)}${unit}`), size: 80 }],
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
  };
  const plot = new uPlot(options, data, container);
  const resize = () => plot.setSize({ width: Math.max(240, container.clientWidth - 24), height });
  new ResizeObserver(resize).observe(container);
  requestAnimationFrame(resize);
  return container;
}

function formatNumber(value) {
  if (value === null || value === undefined) return '';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(1)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return abs < 10 ? value.toFixed(2) : value.toFixed(0);
}

export function seriesLabel(one) {
  return one.tags ? `${one.name} {${one.tags}}` : one.name;
}
