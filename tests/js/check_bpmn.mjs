// Reads BPMN 2.0 files with bpmn-moddle, the parser behind bpmn.io and Camunda
// Modeler, and prints what it found as one JSON object, keyed by file path:
//
//   {"path": {"warnings": [...], "elements": {id: $type}, "shapes": [bpmnElement ids],
//             "edges": [{"element": id, "waypoints": [[x, y], ...]}], "names": {id: name},
//             "error": message or null}}
//
// Usage: node tests/js/check_bpmn.mjs FILE...  (the tests run it once for all files).
import { readFile } from 'node:fs/promises';
import { BpmnModdle } from 'bpmn-moddle';

const moddle = new BpmnModdle();

async function check(path) {
  const xml = await readFile(path, 'utf8');
  let parsed;
  try {
    parsed = await moddle.fromXML(xml);
  } catch (err) {
    return { warnings: (err.warnings || []).map((w) => w.message), error: err.message };
  }
  const { rootElement, elementsById, warnings } = parsed;
  const elements = {};
  const names = {};
  for (const [id, element] of Object.entries(elementsById)) {
    elements[id] = element.$type;
    if (element.name !== undefined) {
      names[id] = element.name;
    }
  }
  const shapes = [];
  const edges = [];
  for (const diagram of rootElement.diagrams || []) {
    for (const element of diagram.plane.planeElement || []) {
      const ref = element.bpmnElement ? element.bpmnElement.id : null;
      if (element.$type === 'bpmndi:BPMNShape') {
        const b = element.bounds;
        shapes.push({ element: ref, bounds: b ? [b.x, b.y, b.width, b.height] : null });
      } else if (element.$type === 'bpmndi:BPMNEdge') {
        edges.push({ element: ref, waypoints: (element.waypoint || []).map((p) => [p.x, p.y]) });
      }
    }
  }
  return {
    warnings: warnings.map((w) => w.message),
    error: null,
    root: rootElement.$type,
    elements,
    names,
    shapes,
    edges,
  };
}

const out = {};
for (const path of process.argv.slice(2)) {
  out[path] = await check(path);
}
process.stdout.write(JSON.stringify(out));
