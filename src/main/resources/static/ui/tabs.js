// ARIA tabs: one tab stop, Left/Right/Home/End move and activate; each panel renders on first show.
import { h } from './dom.js';

/** tabs: [{id, label, render(panel)}]; answers the element. */
export function tabs(label, list) {
  const tablist = h('div', { role: 'tablist', 'aria-label': label });
  const panels = [];
  const rendered = new Set();
  const buttons = list.map((t, i) => {
    const panel = h('section', { role: 'tabpanel', id: `panel-${t.id}`, 'aria-labelledby': `tab-${t.id}`, tabindex: '0', hidden: i > 0 });
    panels.push(panel);
    return h('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': `panel-${t.id}`,
      'aria-selected': String(i === 0), tabindex: i === 0 ? '0' : '-1', onclick: () => show(i) }, t.label);
  });
  const show = (i, focus = false) => {
    buttons.forEach((b, j) => {
      b.setAttribute('aria-selected', String(i === j));
      b.tabIndex = i === j ? 0 : -1;
      panels[j].hidden = i !== j;
    });
    if (focus) buttons[i].focus();
    if (!rendered.has(i)) {
      rendered.add(i);
      list[i].render(panels[i]);
    }
  };
  tablist.addEventListener('keydown', (e) => {
    const at = buttons.indexOf(document.activeElement);
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[e.key];
    if (next === undefined || at < 0) return;
    e.preventDefault();
    show((next + buttons.length) % buttons.length, true);
  });
  tablist.append(...buttons);
  const el = h('div', { class: 'tabs' }, tablist, panels);
  show(0);
  return el;
}
