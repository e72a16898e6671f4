"""The page's clickable views (the board, the move list, the value graph, the search tree): one Streamlit
component (`st.components.v2`, inline HTML, CSS and JavaScript shipped here: no build step, no iframe) that
shows HTML made by this package and sends back what was clicked: the `data-click` of the element ("move:4",
"ply:7", "node:0.2"). Tree nodes stay open or closed across redraws; the tree zooms with its own buttons."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

CSS = """
:host { display: block; }
.view { font-family: "Source Sans Pro", sans-serif; color: #222; }
.view svg.board {
  width: 100%;
  max-width: 520px;
  height: auto;
  display: block;
  margin: 0 auto;
  touch-action: manipulation;
}
.view svg.graph { width: 100%; max-width: 560px; height: auto; }
.view .spot { cursor: pointer; }
.view .spot .ghost { opacity: 0; transition: opacity 0.1s; }
.view .spot:hover .ghost { opacity: 0.5; }
.view .waiting .spot { cursor: progress; pointer-events: none; }
.view .waiting .spot .ghost { display: none; }
.view .legend { display: flex; gap: 1rem; flex-wrap: wrap; justify-content: center; margin: 0.2rem 0 0.4rem; }
.view .legend .who { display: inline-flex; align-items: center; gap: 0.3rem; }
.view .legend .who svg { vertical-align: middle; }
.view .legend .to-play { font-weight: bold; text-decoration: underline; }
.view .moves { display: flex; flex-wrap: wrap; gap: 0.25rem; align-items: center; }
.view .moves .move {
  border: 1px solid #ccd;
  border-radius: 4px;
  padding: 0.05rem 0.4rem;
  cursor: pointer;
  font-size: 0.9rem;
}
.view .moves .move:hover { background: #eef2fa; }
.view .moves .move.current { background: #1f4e99; color: #fff; border-color: #1f4e99; }
.view .moves .start { cursor: pointer; color: #1f4e99; font-size: 0.9rem; }
.view .graph circle { cursor: pointer; }
.view .tree { font-size: var(--tree-size, 0.85rem); overflow-x: auto; max-height: 32rem; overflow-y: auto; }
.view .tree details { margin-left: 1.1em; border-left: 1px dotted #bbc; padding-left: 0.4em; }
.view .tree summary { cursor: pointer; white-space: nowrap; }
.view .tree .leaf { margin-left: 2.2em; white-space: nowrap; }
.view .tree .show {
  color: #1f4e99;
  cursor: pointer;
  margin-left: 0.4em;
  text-decoration: underline;
  font-size: 0.85em;
}
.view .tree .ended { color: #a33; font-weight: bold; }
.view .zoom { margin-bottom: 0.3rem; }
.view .zoom button { margin-right: 0.3rem; }
"""

JS = """
const openNodes = new Map();
export default function(component) {
  const { data, setTriggerValue, parentElement } = component;
  let root = parentElement.querySelector('.view');
  if (!root) {
    root = document.createElement('div');
    root.className = 'view';
    parentElement.appendChild(root);
  }
  const name = data.name || 'view';
  if (!openNodes.has(name)) openNodes.set(name, new Set());
  const opened = openNodes.get(name);
  root.innerHTML = data.html;
  root.querySelectorAll('details[data-path]').forEach((node) => {
    const path = node.getAttribute('data-path');
    if (opened.has(path)) node.open = true;
    node.addEventListener('toggle', () => { if (node.open) opened.add(path); else opened.delete(path); });
  });
  root.querySelectorAll('[data-click]').forEach((element) => {
    element.addEventListener('click', (event) => {
      event.stopPropagation();
      event.preventDefault();
      setTriggerValue('click', element.getAttribute('data-click'));
    });
  });
  root.querySelectorAll('[data-zoom]').forEach((button) => {
    button.addEventListener('click', () => {
      const tree = root.querySelector('.tree');
      const size = parseFloat(getComputedStyle(tree).fontSize) * parseFloat(button.getAttribute('data-zoom'));
      tree.style.setProperty('--tree-size', `${Math.max(8, Math.min(24, size))}px`);
    });
  });
}
"""

_VIEW = st.components.v2.component("muzero_arena_view", css=CSS, js=JS, isolate_styles=False)

OnClick = Callable[[str], None]


def clickable(markup: str, key: str, on_click: OnClick | None = None) -> None:
    """Shows `markup` (HTML made by the arena, never user text unescaped); a click on an element with a
    `data-click` calls `on_click(its value)` before the page runs again."""

    def clicked() -> None:
        value = _clicked_value(st.session_state.get(key))
        if value and on_click is not None:
            on_click(value)

    _VIEW(data={"html": markup, "name": key}, key=key, on_click_change=clicked, height="content")


def _clicked_value(state: object) -> str | None:
    if state is None:
        return None
    value = state.get("click") if isinstance(state, dict) else getattr(state, "click", None)
    return None if value is None else str(value)
