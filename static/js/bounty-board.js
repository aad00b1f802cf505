// The bounty board where its columns do not all fit (phones, tablets, closed columns shown):
// the column tabs scroll the board sideways instead of jumping the page, and the tabs of
// the columns in view are highlighted. Without this script the tabs are plain anchors.
const board = document.querySelector("[data-testid='bounty-board']");
const nav = document.querySelector("[data-testid='board-nav']");

if (board && nav) {
  const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const tabs = new Map();
  for (const link of nav.querySelectorAll("a[data-column]")) {
    const column = document.getElementById(`column-${link.dataset.column}`);
    if (!column) continue;
    tabs.set(column, link);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const left = column.getBoundingClientRect().left - board.getBoundingClientRect().left;
      board.scrollBy({ left, behavior: smooth ? "smooth" : "auto" });
      column.setAttribute("tabindex", "-1");
      column.focus({ preventScroll: true });
      history.replaceState(null, "", link.hash);
    });
  }
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        tabs.get(entry.target)?.classList.toggle("is-in-view", entry.isIntersecting);
      }
    },
    { root: board, threshold: 0.6 },
  );
  for (const column of tabs.keys()) observer.observe(column);
}
