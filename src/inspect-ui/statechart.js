// Draws a machine definition (the server's `chartOf` shape) as nested boxes with arrows between
// them, and highlights the active states. No layout library: compound states are flex rows, and
// the arrows are drawn over them once the browser has placed the boxes.

const SVG = 'http://www.w3.org/2000/svg';

/**
 * @param {HTMLElement} container
 * @param {object} chart  root ChartNode: { id, key, type, initial, invokes, transitions, children }
 * @param {string[]} active  ids of the active state nodes
 */
export function renderChart(container, chart, active) {
  const activeSet = new Set(active);
  const canvas = el('div', 'sc-canvas');
  const boxes = new Map();
  canvas.append(stateBox(chart, null, activeSet, boxes));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'sc-edges');
  canvas.append(svg);
  container.replaceChildren(canvas);
  const edges = collectEdges(chart);
  const draw = () => drawEdges(canvas, svg, boxes, edges, activeSet);
  requestAnimationFrame(draw);
  container.redraw = draw;
}

function stateBox(node, parent, activeSet, boxes) {
  const box = el('div', `sc-state sc-${node.type}`);
  box.dataset.stateId = node.id;
  if (activeSet.has(node.id)) box.classList.add('active');
  boxes.set(node.id, box);
  const head = el('div', 'sc-head');
  if (parent && parent.initial === node.id) head.append(el('span', 'sc-initial', '●'));
  head.append(el('span', 'sc-name', node.key));
  box.append(head);
  for (const src of node.invokes) box.append(el('div', 'sc-invoke', `invoke ${src}`));
  const stays = node.transitions.filter((t) => t.targets.length === 0);
  if (stays.length > 0) {
    const list = el('ul', 'sc-stays');
    for (const t of stays) {
      const item = el('li', null, t.event);
      if (t.guard) item.append(el('span', 'sc-guard', ` [${t.guard}]`));
      if (t.actions.length > 0) item.append(el('span', 'sc-actions', ` / ${t.actions.join(', ')}`));
      list.append(item);
    }
    box.append(list);
  }
  if (node.children.length > 0) {
    const children = el('div', 'sc-children');
    for (const child of node.children) children.append(stateBox(child, node, activeSet, boxes));
    box.append(children);
  }
  return box;
}

function collectEdges(node, out = []) {
  for (const t of node.transitions) {
    for (const target of t.targets) {
      if (target !== node.id) out.push({ from: node.id, to: target, label: t.event, guard: t.guard });
    }
  }
  for (const child of node.children) collectEdges(child, out);
  return out;
}

function drawEdges(canvas, svg, boxes, edges, activeSet) {
  const origin = canvas.getBoundingClientRect();
  svg.setAttribute('width', String(canvas.scrollWidth));
  svg.setAttribute('height', String(canvas.scrollHeight));
  svg.replaceChildren(arrowMarker());
  const rectOf = (id) => {
    const r = boxes.get(id)?.getBoundingClientRect();
    return r && { x: r.left - origin.left, y: r.top - origin.top, w: r.width, h: r.height };
  };
  const pairCount = new Map();
  // Labels keep off the simple states' boxes (and off each other).
  const placed = [];
  for (const [id, box] of boxes) {
    if (box.querySelector('.sc-children')) continue;
    const r = rectOf(id);
    placed.push({ x: r.x, y: r.y, width: r.w, height: r.h });
  }
  for (const edge of edges) {
    const a = rectOf(edge.from);
    const b = rectOf(edge.to);
    if (!a || !b) continue;
    const pair = `${edge.from}→${edge.to}`;
    const k = pairCount.get(pair) ?? 0;
    pairCount.set(pair, k + 1);
    const ca = center(a);
    const cb = center(b);
    const p1 = borderPoint(a, cb);
    const p2 = borderPoint(b, ca);
    const dx = p2.x - p1.x;
    const dy = p2.y - p1.y;
    const len = Math.hypot(dx, dy) || 1;
    // Forward arrows bow one way and backward ones the other, so a pair of opposite arrows never overlaps.
    const bend = 26 + 20 * k;
    const c = { x: (p1.x + p2.x) / 2 + (-dy / len) * bend, y: (p1.y + p2.y) / 2 + (dx / len) * bend };
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', `M ${p1.x} ${p1.y} Q ${c.x} ${c.y} ${p2.x} ${p2.y}`);
    path.setAttribute('class', activeSet.has(edge.from) ? 'sc-edge from-active' : 'sc-edge');
    path.setAttribute('marker-end', 'url(#sc-arrow)');
    svg.append(path);
    // Labels sit near their arrow's source: arrows converging on one state would pile them up at the target.
    const t = 0.3;
    const at = {
      x: (1 - t) ** 2 * p1.x + 2 * (1 - t) * t * c.x + t ** 2 * p2.x,
      y: (1 - t) ** 2 * p1.y + 2 * (1 - t) * t * c.y + t ** 2 * p2.y,
    };
    const text = document.createElementNS(SVG, 'text');
    text.setAttribute('class', 'sc-label');
    text.textContent = edge.guard ? `${edge.label} [${edge.guard}]` : edge.label;
    svg.append(text);
    placeLabel(text, at, placed);
  }
}

/** Puts a label at `at`, nudged down (then up) until it overlaps no label placed before it. */
function placeLabel(text, at, placed) {
  const offsets = [0, 14, -14, 28, -28, 42, -42, 56, -56, 70, -70];
  let box = null;
  for (const dy of offsets) {
    text.setAttribute('x', String(at.x));
    text.setAttribute('y', String(at.y + dy));
    box = text.getBBox();
    if (!placed.some((other) => overlaps(box, other))) break;
  }
  placed.push(box);
}

function overlaps(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function arrowMarker() {
  const defs = document.createElementNS(SVG, 'defs');
  const marker = document.createElementNS(SVG, 'marker');
  marker.setAttribute('id', 'sc-arrow');
  marker.setAttribute('viewBox', '0 0 10 10');
  marker.setAttribute('refX', '9');
  marker.setAttribute('refY', '5');
  marker.setAttribute('markerWidth', '7');
  marker.setAttribute('markerHeight', '7');
  marker.setAttribute('orient', 'auto-start-reverse');
  const tip = document.createElementNS(SVG, 'path');
  tip.setAttribute('d', 'M 0 0 L 10 5 L 0 10 z');
  tip.setAttribute('class', 'sc-arrowhead');
  marker.append(tip);
  defs.append(marker);
  return defs;
}

function center(r) {
  return { x: r.x + r.w / 2, y: r.y + r.h / 2 };
}

/** Where the line from the box's centre towards `p` leaves the box. */
function borderPoint(r, p) {
  const c = center(r);
  const dx = p.x - c.x;
  const dy = p.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const t = Math.min(
    dx === 0 ? Infinity : r.w / 2 / Math.abs(dx),
    dy === 0 ? Infinity : r.h / 2 / Math.abs(dy),
  );
  return { x: c.x + dx * t, y: c.y + dy * t };
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
