// Voting on a poll with the browser wallet (EIP-1193), and live results. No build step.
//
// The page embeds the EIP-712 pieces (domain, types, poll id) as JSON. The wallet signs
// {types, primaryType: "Vote", domain, message: {poll, voter, choices, timestamp}} with
// eth_signTypedData_v4; the page posts the typed data and the signature to the API
// (POST /api/v1/polls/<id>/votes/), then refreshes the results panel in place from the
// poll's results.json and the list of votes from its voters.json (voters.js).

import {
  chainName,
  connectWallet,
  describe,
  fetchJson,
  signTypedData,
  statusLines,
  switchChain,
  walletNeeded,
} from "./ethereum.js";
import { refreshVoters } from "./voters.js";

const REFRESH_SECONDS = 30;

startCountdowns();
const resultsBody = document.querySelector("[data-results-body]");
const form = document.querySelector("[data-vote-form]");
if (form) {
  setUpVoting(form);
}
if (resultsBody && resultsBody.dataset.resultsUrl) {
  window.setInterval(() => {
    if (document.visibilityState === "visible") {
      refreshResults().catch(() => {});
    }
  }, REFRESH_SECONDS * 1000);
}

function setUpVoting(root) {
  const config = JSON.parse(document.getElementById("vote-config").textContent);
  const siteChainId = BigInt(root.dataset.chainId);
  const voteUrl = root.dataset.voteUrl;
  const balanceUnits = root.dataset.balanceUnits ? BigInt(root.dataset.balanceUnits) : null;
  const successBox = root.querySelector("[data-success]");
  const chainWarning = root.querySelector("[data-chain-warning]");
  const chainWarningText = root.querySelector("[data-chain-warning-text]");
  const switchButton = root.querySelector("[data-switch-chain]");
  const weightsForm = root.querySelector("[data-weights-form]");
  const weightInputs = Array.from(root.querySelectorAll("input[data-choice]"));
  const basicButtons = Array.from(root.querySelectorAll("[data-basic-choice]"));
  const actionButtons = [...basicButtons, ...root.querySelectorAll("[data-submit]")];
  let pendingChoices = null;

  const { showProgress, showError } = statusLines(root);
  const showSuccess = (text) => {
    successBox.textContent = text;
    successBox.hidden = !text;
  };
  const setBusy = (busy) => {
    for (const button of actionButtons) {
      button.disabled = busy;
    }
  };

  function readWeights() {
    return weightInputs.map((input) => {
      const text = input.value.trim();
      const valid = /^\d+$/.test(text || "0") && Number(text || "0") <= config.maxWeight;
      return { input, choice: Number(input.dataset.choice), weight: valid ? Number(text || "0") : null };
    });
  }

  function updateShares() {
    const rows = readWeights();
    const total = rows.reduce((sum, row) => sum + (row.weight || 0), 0);
    for (const row of rows) {
      const output = root.querySelector(`[data-share-for="${row.choice}"]`);
      row.input.setAttribute("aria-invalid", row.weight === null ? "true" : "false");
      if (row.weight === null) {
        output.textContent = `whole number from 0 to ${config.maxWeight.toLocaleString("en-US")}`;
      } else if (!total || !row.weight) {
        output.textContent = "—";
      } else {
        let text = `${((row.weight * 100) / total).toFixed(1)}%`;
        if (balanceUnits !== null) {
          const units = (balanceUnits * BigInt(row.weight)) / BigInt(total);
          text += ` ≈ ${formatHbot(units)} HBOT`;
        }
        output.textContent = text;
      }
    }
    const totalLine = root.querySelector("[data-weights-total]");
    if (totalLine) {
      totalLine.textContent = total
        ? `${rows.filter((row) => row.weight).length} choice(s) weighted.`
        : "Give at least one choice a weight above 0.";
    }
  }

  async function submit(choices) {
    const provider = window.ethereum;
    showError("");
    showSuccess("");
    chainWarning.hidden = true;
    if (!provider) {
      showError(walletNeeded("Voting"));
      return;
    }
    setBusy(true);
    try {
      showProgress("Waiting for your wallet to share your address…");
      const { account: address, chainId: walletChainId } = await connectWallet(provider, {
        noAccountMessage: "Your wallet shared no account. Unlock it and try again.",
      });
      if (walletChainId !== siteChainId) {
        pendingChoices = choices;
        showProgress("");
        chainWarningText.textContent =
          `Your wallet is on ${chainName(walletChainId)}, but this poll is on ` +
          `${chainName(siteChainId)}. Switch your wallet's network to vote.`;
        chainWarning.hidden = false;
        return;
      }
      const typedData = {
        types: config.types,
        primaryType: config.primaryType,
        domain: config.domain,
        message: {
          poll: config.poll,
          voter: address,
          // The server hashes the choices in ascending order; sign them in that order.
          choices: choices.slice().sort((a, b) => a.choice - b.choice),
          timestamp: Math.floor(Date.now() / 1000),
        },
      };
      showProgress("Confirm the signature request in your wallet…");
      const signature = await signTypedData(provider, address, typedData);
      showProgress("Checking the signature and your HBOT at the snapshot block…");
      const result = await fetchJson(voteUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ typed_data: typedData, signature }),
      });
      showProgress("");
      showSuccess(
        `Your vote is counted with ${formatHbot(BigInt(result.voting_power))} HBOT of ` +
          "voting power. Voting again replaces it until the poll closes.",
      );
      const heading = root.querySelector("h2");
      if (heading) {
        heading.textContent = "Change your vote";
      }
      showYourVote(choices, result);
      await Promise.all([refreshResults(), refreshVoters(result.voter)]);
    } catch (error) {
      showProgress("");
      showError(describe(error));
    } finally {
      setBusy(false);
    }
  }

  function labelOf(choice) {
    const input = root.querySelector(`[data-choice="${choice}"]`);
    if (input && input.dataset.label) {
      return input.dataset.label;
    }
    const button = root.querySelector(`[data-basic-choice="${choice}"]`);
    return button ? button.textContent.trim() : `Choice ${choice}`;
  }

  // The "You" card says what was just counted, without a reload: the choices with their
  // weights and shares, the power, and which basic choice (For / Against / Abstain) it was.
  function showYourVote(choices, result) {
    for (const button of basicButtons) {
      const chosen = choices.some((c) => c.choice === Number(button.dataset.basicChoice));
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
    }
    const cell = document.querySelector('[data-testid="your-vote"]');
    if (!cell) {
      return;
    }
    const total = choices.reduce((sum, c) => sum + c.weight, 0);
    const list = document.createElement("ul");
    list.className = "vote-lines";
    for (const c of choices) {
      const line = document.createElement("li");
      line.textContent = `${labelOf(c.choice)} `;
      const detail = document.createElement("span");
      detail.className = "muted";
      detail.textContent = `weight ${c.weight} · ${((100 * c.weight) / total).toFixed(1)}%`;
      line.append(detail);
      list.append(line);
    }
    const when = document.createElement("span");
    when.className = "muted";
    when.textContent = `counted just now with ${formatHbot(BigInt(result.voting_power))} HBOT`;
    cell.replaceChildren(list, when);
  }

  if (weightsForm) {
    weightsForm.addEventListener("input", updateShares);
    weightsForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const rows = readWeights();
      const bad = rows.find((row) => row.weight === null);
      if (bad) {
        showError(
          `The weight for ${bad.input.dataset.label} must be a whole number from 0 to ` +
            `${config.maxWeight.toLocaleString("en-US")}.`,
        );
        bad.input.focus();
        return;
      }
      const choices = rows
        .filter((row) => row.weight > 0)
        .map((row) => ({ choice: row.choice, weight: row.weight }));
      if (choices.length === 0) {
        showError("Give at least one choice a weight above 0.");
        return;
      }
      submit(choices);
    });
    updateShares();
  }
  for (const button of basicButtons) {
    button.addEventListener("click", () => {
      submit([{ choice: Number(button.dataset.basicChoice), weight: 1 }]);
    });
  }
  switchButton.addEventListener("click", async () => {
    try {
      await switchChain(window.ethereum, siteChainId, {
        notAddedHint: "Add that network in your wallet, then vote again.",
      });
    } catch (error) {
      showError(describe(error));
      return;
    }
    chainWarning.hidden = true;
    if (pendingChoices) {
      await submit(pendingChoices);
    }
  });
}

async function refreshResults() {
  if (!resultsBody) {
    return;
  }
  const data = await fetchJson(resultsBody.dataset.resultsUrl);
  if (typeof data.html === "string") {
    resultsBody.innerHTML = data.html;
  }
}

function startCountdowns() {
  const clocks = Array.from(document.querySelectorAll("[data-countdown]"));
  if (clocks.length === 0) {
    return;
  }
  const tick = () => {
    for (const clock of clocks) {
      const left = Date.parse(clock.dataset.countdown) - Date.now();
      clock.textContent = left > 0 ? `${duration(left)} left` : "Voting has ended";
    }
  };
  tick();
  window.setInterval(tick, 1000);
}

function duration(milliseconds) {
  let seconds = Math.floor(milliseconds / 1000);
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const parts = days ? [`${days}d`, `${hours}h`, `${minutes}m`] : [`${hours}h`, `${minutes}m`];
  return [...parts, `${seconds}s`].join(" ");
}

function formatHbot(units) {
  const whole = units / 10n ** 18n;
  return whole.toLocaleString("en-US");
}
