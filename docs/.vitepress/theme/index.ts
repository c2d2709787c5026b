import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import LessonList from './LessonList.vue';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('LessonList', LessonList);
  },
} satisfies Theme;
