// A poll's list of votes: "Show more" appends the next page in place, and after a vote the
// list is read again with the new vote first. No build step.
//
// Without a script "Show more" is a plain link to the next page (/polls/<id>/voters/); with
// one, the rows come from /polls/<id>/voters.json, rendered by the server as on the page.

import { describe, fetchJson } from "./ethereum.js";

const panel = document.querySelector("[data-voters]");
if (panel) {
  const more = panel.querySelector("[data-voters-more]");
  more.addEventListener("click", async (event) => {
    if (!more.dataset.jsonUrl) {
      return;
    }
    event.preventDefault();
    more.setAttribute("aria-disabled", "true");
    try {
      await loadVoters(more.dataset.jsonUrl, { append: true });
    } catch (error) {
      more.textContent = `${describe(error)} Try again`;
    } finally {
      more.removeAttribute("aria-disabled");
    }
  });
}

// Read the first page of votes again, with ``voter``'s vote first (the address that just
// voted, which the site may not know as the signed-in wallet).
export async function refreshVoters(voter) {
  if (!panel) {
    return;
  }
  const url = new URL(panel.dataset.votersUrl, window.location.href);
  if (voter) {
    url.searchParams.set("voter", voter);
  }
  await loadVoters(url.toString(), { append: false });
}

async function loadVoters(url, { append }) {
  const data = await fetchJson(url);
  const list = panel.querySelector("[data-voters-list]");
  const template = document.createElement("template");
  template.innerHTML = data.html;
  if (append) {
    list.append(template.content);
  } else {
    list.replaceChildren(template.content);
  }
  panel.querySelector("[data-voters-empty]").hidden = list.children.length > 0;
  const more = panel.querySelector("[data-voters-more]");
  const line = panel.querySelector("[data-voters-more-line]");
  more.textContent = "Show more votes";
  if (data.next) {
    more.href = data.next.page;
    more.dataset.jsonUrl = data.next.json;
    line.hidden = false;
  } else {
    more.removeAttribute("href");
    delete more.dataset.jsonUrl;
    line.hidden = true;
  }
}
