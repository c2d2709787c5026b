import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import Layout from './Layout.vue';
import LessonList from './LessonList.vue';
import './custom.css';
// The stylesheet of the diagrams, rendered by ../mermaid/.
import 'virtual:mermaid-diagrams.css';

export default {
  extends: DefaultTheme,
  Layout,
  enhanceApp({ app }) {
    app.component('LessonList', LessonList);
  },
} satisfies Theme;
