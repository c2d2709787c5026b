import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type DefaultTheme, defineConfigWithTheme } from 'vitepress';
// Relative, not '@lessons/course': VitePress bundles its config and leaves
// packages to Node, which cannot load a .ts file.
import { type Lesson, listLessons, ROOT } from '../../packages/course/src/lessons.ts';
import { checkBuiltPages, exerciseEmbedGuard } from './exercise-guard.ts';
import { assertLessonRefs } from './lesson-refs-guard.ts';
import { mermaidFence, mermaidPlugin } from './mermaid/plugin.ts';
import { DiagramStore } from './mermaid/store.ts';
import { snippetGuard } from './snippet-guard.ts';
import { testList, testListPlugin } from './test-list.ts';

const lessons = listLessons();
const DOCS = join(ROOT, 'docs');
// Rendered diagrams, by content hash, committed: serving and building the site need no browser.
const diagrams = new DiagramStore(join(DOCS, '.vitepress/diagrams'));

function lessonLink(lesson: Lesson): string {
  return `/lessons/${lesson.id}`;
}

/** A lesson's name in the sidebar; its page's heading is `Lesson N: <title>` (docs/test/naming.test.ts). */
export function sidebarText(lesson: Lesson): string {
  return `${lesson.number}. ${lesson.title}`;
}

function assertLessonPages(): void {
  const missing = lessons.filter((l) => !existsSync(join(DOCS, `${lessonLink(l)}.md`)));
  if (missing.length > 0) {
    throw new Error(
      `Lessons without a docs page: ${missing.map((l) => `docs${lessonLink(l)}.md`).join(', ')}`,
    );
  }
}

function sidebar(): DefaultTheme.SidebarItem[] {
  return [
    {
      text: 'Start here',
      items: [
        { text: 'Home', link: '/' },
        {
          text: 'WebSocket and Socket.IO, before you start',
          link: '/guide/websocket-and-socketio',
        },
      ],
    },
    {
      text: 'Lessons',
      items: lessons.map((lesson) => ({
        text: sidebarText(lesson),
        link: lessonLink(lesson),
      })),
    },
    {
      text: 'Reference',
      items: [
        { text: 'Emit cheat sheet', link: '/guide/who-receives' },
        { text: 'Troubleshooting', link: '/guide/troubleshooting' },
        { text: 'Commands', link: '/reference/commands' },
        { text: 'For instructors', link: '/guide/instructors' },
      ],
    },
  ];
}

assertLessonPages();
// No link to, and no "lesson N" about, a lesson that does not exist, in the pages or the README.
assertLessonRefs(DOCS, ROOT);

export default defineConfigWithTheme<DefaultTheme.Config & { lessons: unknown[] }>({
  title: 'Realtime Lessons',
  description:
    'Learn real-time web programming with Express and Socket.IO, one tested lesson at a time.',
  cleanUrls: true,
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  // The lessons point at their own servers on localhost; every other dead link fails the build.
  ignoreDeadLinks: 'localhostLinks',
  lastUpdated: false,
  // Every page but the home page: no outline aside (its outline moves to the bar above the
  // content, at every width), so that the column fits lesson code's 100 characters at 1280 px.
  transformPageData(page) {
    if (page.frontmatter.layout === 'home') return;
    page.frontmatter.aside ??= false;
    page.frontmatter.pageClass ??= 'course-page';
  },
  themeConfig: {
    nav: [
      { text: 'Before you start', link: '/guide/websocket-and-socketio' },
      // Highlighted on every lesson page, not only on the page it links to.
      { text: 'Lessons', link: lessonLink(lessons[0] as Lesson), activeMatch: '^/lessons/' },
      { text: 'Cheat sheet', link: '/guide/who-receives' },
      { text: 'Troubleshooting', link: '/guide/troubleshooting' },
    ],
    sidebar: sidebar(),
    search: { provider: 'local' },
    // Read by the <LessonList /> component on the home page.
    lessons: lessons.map(({ number, title, summary }, index) => ({
      number,
      title,
      summary,
      link: lessonLink(lessons[index] as Lesson),
    })),
    outline: [2, 3],
  },
  markdown: {
    config: (md) => {
      snippetGuard(md, ROOT);
      exerciseEmbedGuard(md, ROOT);
      testList(md, ROOT);
      mermaidFence(md, diagrams);
    },
  },
  vite: {
    plugins: [mermaidPlugin(DOCS, ROOT, diagrams), testListPlugin(ROOT)],
  },
  // The last word on answers: what the built pages show, whatever put it there.
  buildEnd: (site) => checkBuiltPages(site.outDir, ROOT),
});
