// ARIA tabs: one tab stop, Left/Right/Home/End move and activate; each panel renders on first show.
import { h } from './dom.js';

/**
 * tabs: [{id, label, render(panel)}]; options: initial (a tab's id), onShow(id) after a tab is shown
 * (the page puts the tab in the address). Answers the element, whose show(id) shows a tab.
 */
export function tabs(label, list, { initial = list[0].id, onShow = () => {} } = {}) {
  const tablist = h('div', { role: 'tablist', 'aria-label': label });
  const panels = [];
  const rendered = new Set();
  const first = Math.max(0, list.findIndex((t) => t.id === initial));
  const buttons = list.map((t, i) => {
    const panel = h('section', { role: 'tabpanel', id: `panel-${t.id}`, 'aria-labelledby': `tab-${t.id}`, tabindex: '0', hidden: i !== first });
    panels.push(panel);
    return h('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': `panel-${t.id}`,
      'aria-selected': String(i === first), tabindex: i === first ? '0' : '-1', onclick: () => show(i) }, t.label);
  });
  const show = (i, focus = false, notify = true) => {
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
    if (notify) onShow(list[i].id);
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
  el.show = (id) => {
    const i = list.findIndex((t) => t.id === id);
    if (i >= 0 && buttons[i].getAttribute('aria-selected') !== 'true') show(i);
  };
  show(first, false, false);
  return el;
}
