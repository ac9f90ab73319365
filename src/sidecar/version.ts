// Only the "version" field ends up in the bundle (esbuild tree-shakes JSON imports by name).
import { version } from '../../package.json';

export const VERSION: string = version;
