// Relative, not '@lessons/test-kit/vitest': vitest bundles its config and leaves
// packages to Node, which cannot load a .ts file.
import { lessonConfig } from '../../packages/test-kit/vitest.ts';

export default lessonConfig(import.meta.url);
