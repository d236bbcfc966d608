// A few lines instead of a framework: h() builds elements, the rest formats and reports.

/** h('a', {href: '#/'}, 'text', child...): attributes starting with "on" become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** A number for people: NaN and infinities by name, others to 4 significant digits. */
export function fmt(v) {
  if (v === null || v === undefined) return '—';
  const n = typeof v === 'string' ? Number(v) : v;
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+∞' : '−∞';
  if (Number.isInteger(n)) return n.toLocaleString('en');
  const a = Math.abs(n);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? n.toExponential(3) : String(Number(n.toPrecision(4)));
}

export const when = (iso) => iso ? new Date(iso).toLocaleString() : '—';

/** A problem (or any error) as an alert: the problem's title and its detail. */
export function problemBox(error) {
  const p = error.problem || { title: 'Error', detail: error.message };
  return h('div', { class: 'problem', role: 'alert' },
    h('strong', {}, `${p.title}${p.status ? ` (${p.status})` : ''}`),
    p.detail ? h('p', {}, p.detail) : null,
    (p.errors || []).length > 1 ? h('ul', {}, p.errors.map((e) => h('li', {}, `${e.field}: ${e.message}`))) : null);
}

/** Runs an async render step; a failure shows as a problem box in place, never as an uncaught rejection. */
export async function guarded(container, step) {
  try {
    await step();
  } catch (e) {
    if (e.name === 'AbortError') return;
    container.append(problemBox(e));
  }
}
