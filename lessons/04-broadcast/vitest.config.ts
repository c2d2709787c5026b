import { lessonConfig } from '../../packages/test-kit/vitest.ts';

export default lessonConfig(import.meta.url);
