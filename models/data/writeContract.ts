/**
 * Writes the pose/action contract for the Python side:
 *
 *   npm run contract        (writes models/contract.json)
 *
 * A unit test fails when the committed file and src/sim/contract.ts disagree.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractJson } from '../../src/sim/contract';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'contract.json');
writeFileSync(out, JSON.stringify(contractJson(), null, 2) + '\n');
console.log(`wrote ${out}`);
