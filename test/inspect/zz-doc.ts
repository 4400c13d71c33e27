import { backpropNumbers } from '../../src/inspect/backprop-doc.js';
const t0 = performance.now();
const b = await backpropNumbers();
console.log((performance.now() - t0).toFixed(0), 'ms');
for (const [k, v] of Object.entries(b)) console.log(`=== ${k}\n${v}`);
