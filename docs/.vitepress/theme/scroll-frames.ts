// A wide table or diagram scrolls sideways inside its frame; on a phone nothing shows that it
// does, and its right-hand columns look empty. This marks each one that overflows (class
// `scrolls`, styled in custom.css), makes it reachable with the keyboard, and puts a hint above
// it; run again after every page change and resize.

const FRAMES = '.vp-doc table, .vp-doc .mermaid-diagram';
const HINT = 'scroll-hint';

function hintText(frame: Element): string {
  return frame.tagName === 'TABLE'
    ? 'This table scrolls sideways: swipe or scroll it to see every column →'
    : 'This diagram scrolls sideways: swipe or scroll it to see all of it →';
}

/** Mark, or unmark, every frame on the page by whether it overflows now. */
export function markScrollFrames(root: ParentNode = document): void {
  for (const frame of root.querySelectorAll<HTMLElement>(FRAMES)) {
    const scrolls = frame.scrollWidth > frame.clientWidth + 1;
    const hint = frame.previousElementSibling?.classList.contains(HINT)
      ? frame.previousElementSibling
      : undefined;
    frame.classList.toggle('scrolls', scrolls);
    if (scrolls) {
      // axe's scrollable-region-focusable: a region that scrolls can be scrolled from the keyboard.
      frame.tabIndex = 0;
      if (!hint) {
        const p = document.createElement('p');
        p.className = HINT;
        p.textContent = hintText(frame);
        frame.before(p);
      }
    } else {
      frame.removeAttribute('tabindex');
      hint?.remove();
    }
  }
}

/** Run markScrollFrames on the next frame, at most once per frame. */
export function scheduler(): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      markScrollFrames();
    });
  };
}
