// The module tree as an ARIA tree: one tab stop, arrow keys move, Enter or Space (or a click) selects.
import { h } from './dom.js';

const parentOf = (path) => (path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '');
export const localName = (path) => path.slice(path.lastIndexOf('.') + 1);

/**
 * Every path of the model in PyTorch's order, a shared module at each place it is used. The spec
 * (names filled in) gives the order; if it cannot be walked, the modules and their aliases do.
 */
export function modulePaths(spec, modules) {
  const byPath = new Map();
  for (const m of modules) for (const p of [m.path, ...m.aliases]) byPath.set(p, m);
  const paths = [''];
  const walk = (node, prefix, depth) => {
    for (let hops = 0; node?.ref !== undefined && hops < 100; hops++) node = spec.shared?.[node.ref];
    (node?.layers || []).forEach((layer, i) => {
      const path = prefix === '' ? String(layer.name ?? i) : `${prefix}.${layer.name ?? i}`;
      paths.push(path);
      if (depth < 100) walk(layer, path, depth + 1);
    });
  };
  if (spec?.model) walk(spec.model, '', 0);
  const complete = paths.length === byPath.size && paths.every((p) => byPath.has(p));
  return { byPath, paths: complete ? paths : [...byPath.keys()] };
}

/**
 * Renders nodes [{key, label: Node|string, parent, depth}] as a flat ARIA tree (aria-level gives the
 * nesting, so each item's name is its own label); onSelect(key) on Enter, Space or click.
 * Answers select(key), which selects and focuses an item (for links to a tied module's other paths).
 */
export function tree(container, nodes, label, onSelect) {
  const root = h('ul', { role: 'tree', 'aria-label': label });
  const items = new Map();
  for (const node of nodes) {
    const item = h('li', { role: 'treeitem', tabindex: '-1', 'aria-selected': 'false', 'aria-level': node.depth + 1, 'data-key': node.key },
      h('span', { class: 'tree-label' }, node.label));
    item.style.setProperty('--depth', node.depth);
    items.get(node.parent)?.setAttribute('aria-expanded', 'true');
    items.set(node.key, item);
    root.append(item);
  }
  container.append(root);
  const all = () => [...root.querySelectorAll('[role=treeitem]')];
  const focus = (item) => {
    for (const i of all()) i.tabIndex = -1;
    item.tabIndex = 0;
    item.focus();
  };
  const select = (key, moveFocus = true) => {
    const item = items.get(key);
    if (!item) return;
    for (const i of all()) i.setAttribute('aria-selected', String(i === item));
    if (moveFocus) focus(item);
    else { for (const i of all()) i.tabIndex = -1; item.tabIndex = 0; }
    onSelect(key);
  };
  root.addEventListener('click', (e) => {
    const item = e.target.closest('[role=treeitem]');
    if (item) select(item.dataset.key);
  });
  root.addEventListener('keydown', (e) => {
    const list = all();
    const current = e.target.closest('[role=treeitem]');
    const at = list.indexOf(current);
    const level = (i) => Number(i?.getAttribute('aria-level'));
    const parentItem = list.slice(0, Math.max(at, 0)).reverse().find((i) => level(i) < level(current));
    const firstChild = level(list[at + 1]) > level(current) ? list[at + 1] : null;
    const moves = {
      ArrowDown: list[at + 1], ArrowUp: list[at - 1], Home: list[0], End: list[list.length - 1],
      ArrowLeft: parentItem, ArrowRight: firstChild,
    };
    if (e.key in moves) {
      e.preventDefault();
      if (moves[e.key]) focus(moves[e.key]);
    } else if ((e.key === 'Enter' || e.key === ' ') && current) {
      e.preventDefault();
      select(current.dataset.key);
    }
  });
  return select;
}

export { parentOf };
