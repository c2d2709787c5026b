import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import { defineAsyncComponent } from 'vue';
import LessonList from './LessonList.vue';
import './custom.css';
// The stylesheet of the diagrams, rendered at build time by ../mermaid.ts.
import 'virtual:mermaid-diagrams.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('LessonList', LessonList);
    // Loaded only by the pages that use it, with the test names it lists.
    app.component(
      'TestList',
      defineAsyncComponent(() => import('./TestList.vue')),
    );
  },
} satisfies Theme;
