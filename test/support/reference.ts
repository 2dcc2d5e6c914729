import { existsSync } from 'node:fs';
import path from 'node:path';

/** Published reference data lives beside the repo in ../shared/reference; it is never copied in. */
export const REFERENCE_DIR = path.resolve(__dirname, '../../../shared/reference');
export const referenceAvailable = existsSync(REFERENCE_DIR);

/** `describe` when the reference folder is there; otherwise a skipped block that says why. */
export const describeWithReference: jest.Describe = referenceAvailable
  ? describe
  : (((name: string, fn: () => void) => {
      console.warn(`skipping "${name}": ${REFERENCE_DIR} is absent`);
      describe.skip(name, fn);
    }) as jest.Describe);
