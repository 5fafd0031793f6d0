/** The shared real TLC heads: the same folder the real-drift yardstick reads (`$AETL_REALDATA` or ../shared/realdata). */
import { join } from 'node:path';
import { realdataDir } from '../../src/chaos/real-drift/land.js';

export const TLC_DIR = join(realdataDir(), 'tlc');
