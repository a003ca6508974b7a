/**
 * The environment as an inline SVG picture: the gateway on the left, the services in the middle,
 * the data services on the right, an arrow for each dependency, each box coloured by its status.
 * The graph comes from the stack's outputs (filled by the live part of the report); the layout is
 * a pure function of it, so the picture of a graph is always the same text.
 */
import type { EnvironmentGraph, NodeStatus } from "../model";

export const statusColours: Record<NodeStatus, { fill: string; stroke: string }> = {
  pass: { fill: "#d8f0dc", stroke: "#2e7d32" },
  fail: { fill: "#fbdada", stroke: "#c62828" },
  unknown: { fill: "#fdf0c4", stroke: "#b08900" },
};

const columns = ["gateway", "service", "data"] as const;
const columnTitles = { gateway: "Gateway", service: "Services", data: "Data services" };
const box = { width: 170, height: 44 };
const gap = { x: 90, y: 18 };
const margin = { x: 20, top: 44, bottom: 20 };

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

export interface Placed {
  readonly name: string;
  readonly x: number;
  readonly y: number;
}

/** Each node's top-left corner: its kind's column, its place among that kind's nodes. */
export function layout(graph: EnvironmentGraph): Map<string, Placed> {
  const placed = new Map<string, Placed>();
  columns.forEach((kind, col) => {
    graph.nodes
      .filter((n) => n.kind === kind)
      .forEach((n, row) => {
        placed.set(n.name, {
          name: n.name,
          x: margin.x + col * (box.width + gap.x),
          y: margin.top + row * (box.height + gap.y),
        });
      });
  });
  return placed;
}

export function renderEnvironmentSvg(graph: EnvironmentGraph): string {
  const placed = layout(graph);
  const rows = Math.max(1, ...columns.map((k) => graph.nodes.filter((n) => n.kind === k).length));
  const width = margin.x * 2 + columns.length * box.width + (columns.length - 1) * gap.x;
  const height = margin.top + rows * (box.height + gap.y) - gap.y + margin.bottom;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="environment" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="environment-title">`,
    `<title id="environment-title">The environment: ${graph.nodes.length} components, ${graph.edges.length} dependencies</title>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>`,
  ];
  columns.forEach((kind, col) => {
    const x = margin.x + col * (box.width + gap.x) + box.width / 2;
    out.push(
      `<text x="${x}" y="24" text-anchor="middle" class="column-title">${columnTitles[kind]}</text>`,
    );
  });
  for (const e of graph.edges) {
    const a = placed.get(e.from);
    const b = placed.get(e.to);
    if (!a || !b) continue;
    const y1 = a.y + box.height / 2;
    const y2 = b.y + box.height / 2;
    let d: string;
    if (a.x < b.x) d = `M ${a.x + box.width} ${y1} L ${b.x} ${y2}`;
    else if (a.x > b.x) d = `M ${a.x} ${y1} L ${b.x + box.width} ${y2}`;
    else {
      // Same column: an arc out to the right and back.
      const bend = a.x + box.width + gap.x / 2;
      d = `M ${a.x + box.width} ${y1} C ${bend} ${y1}, ${bend} ${y2}, ${a.x + box.width} ${y2}`;
    }
    out.push(
      `<path class="edge" data-from="${escapeXml(e.from)}" data-to="${escapeXml(e.to)}" d="${d}" fill="none" stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"/>`,
    );
  }
  for (const n of graph.nodes) {
    const p = placed.get(n.name);
    if (!p) continue;
    const c = statusColours[n.status];
    out.push(
      `<g class="node ${n.kind} ${n.status}" data-name="${escapeXml(n.name)}">`,
      `<rect x="${p.x}" y="${p.y}" width="${box.width}" height="${box.height}" rx="6" fill="${c.fill}" stroke="${c.stroke}" stroke-width="2"/>`,
      `<text x="${p.x + box.width / 2}" y="${p.y + 19}" text-anchor="middle" class="node-name">${escapeXml(n.name)}</text>`,
      `<text x="${p.x + box.width / 2}" y="${p.y + 35}" text-anchor="middle" class="node-status" fill="${c.stroke}">${n.status}</text>`,
      `</g>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
}
