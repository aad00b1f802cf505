// Writing a proposal and signing it with the browser wallet (EIP-1193). No build step.
//
// The page embeds the EIP-712 Proposal type and domain as JSON. The wallet signs
// {types, primaryType: "Proposal", domain, message} with eth_signTypedData_v4; the page posts
// the typed data and the signature to the API (POST /api/v1/proposals/), and opens the
// published proposal's page (page_url in the API's answer).

import {
  UserFacingError,
  chainName,
  connectWallet,
  describe,
  fetchJson,
  signTypedData,
  statusLines,
  switchChain,
  walletNeeded,
} from "./ethereum.js";

const form = document.querySelector("[data-proposal-form]");
if (form) {
  setUp(form);
}

function setUp(form) {
  const signing = JSON.parse(document.getElementById("proposal-signing").textContent);
  const siteChainId = BigInt(form.dataset.chainId);
  const chainWarning = form.querySelector("[data-chain-warning]");
  const chainWarningText = form.querySelector("[data-chain-warning-text]");
  const submitButton = form.querySelector("[data-submit]");
  const actionSelect = form.elements.namedItem("action");

  const { showProgress, showError } = statusLines(form);

  // Show only the fields the chosen action uses.
  const showFields = () => {
    for (const field of form.querySelectorAll("[data-needs]")) {
      field.hidden = !field.dataset.needs.split(" ").includes(actionSelect.value);
    }
  };
  actionSelect.addEventListener("change", showFields);
  showFields();

  function readMessage() {
    const value = (name) => String(form.elements.namedItem(name).value || "");
    const action = value("action");
    const uses = (name) => {
      const field = form.elements.namedItem(name).closest("[data-needs]");
      return !field || field.dataset.needs.split(" ").includes(action);
    };
    const title = value("title").trim();
    if (!title) {
      throw new UserFacingError("Give the proposal a title.");
    }
    const githubUrl = value("githubUrl").trim();
    if (githubUrl && !githubUrl.startsWith("https://github.com/")) {
      throw new UserFacingError("The GitHub link must be an https://github.com/... address.");
    }
    const connector = uses("connector") ? value("connector") : "";
    if ((action === "add_connector" || action === "remove_connector") && !connector) {
      throw new UserFacingError("Choose the connector to add or remove.");
    }
    const amountText = uses("hbotAllocation") ? value("hbotAllocation").trim() : "";
    if (amountText && (!/^\d+$/.test(amountText) || !Number.isSafeInteger(Number(amountText)))) {
      // HBOT's whole supply is 1,000,000,000: any real amount is a safe integer.
      throw new UserFacingError("The HBOT amount must be a whole number of HBOT.");
    }
    let exchange = uses("exchange") ? value("exchange") : "";
    if (action === "fund_bounty") {
      if (!amountText || Number(amountText) === 0) {
        throw new UserFacingError("A bounty proposal needs an HBOT amount above 0.");
      }
      if (!exchange && !connector) {
        throw new UserFacingError("Choose the exchange whose pot the bounty funds, or a connector.");
      }
    }
    return {
      proposalType: value("proposalType"),
      title,
      body: value("body"),
      githubUrl,
      action,
      connector,
      exchange,
      hbotAllocation: Number(amountText || "0"),
    };
  }

  async function submit() {
    const provider = window.ethereum;
    showError("");
    chainWarning.hidden = true;
    let message;
    try {
      message = readMessage();
    } catch (error) {
      showError(describe(error));
      return;
    }
    if (!provider) {
      showError(walletNeeded("Proposing"));
      return;
    }
    submitButton.disabled = true;
    let leaving = false;
    try {
      showProgress("Waiting for your wallet to share your address…");
      const { account, chainId: walletChainId } = await connectWallet(provider, {
        noAccountMessage: "Your wallet shared no account. Unlock it and try again.",
      });
      if (walletChainId !== siteChainId) {
        showProgress("");
        chainWarningText.textContent =
          `Your wallet is on ${chainName(walletChainId)}, but this site uses ` +
          `${chainName(siteChainId)}. Switch your wallet's network, then sign again.`;
        chainWarning.hidden = false;
        return;
      }
      const typedData = {
        types: signing.types,
        primaryType: signing.primaryType,
        domain: signing.domain,
        message: { ...message, proposer: account, timestamp: Math.floor(Date.now() / 1000) },
      };
      showProgress("Confirm the signature request in your wallet…");
      const signature = await signTypedData(provider, account, typedData);
      showProgress("Checking the signature and your HBOT balance…");
      const result = await fetchJson(form.dataset.submitUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ typed_data: typedData, signature }),
      });
      showProgress(`Published as ${result.reference}. Opening it…`);
      leaving = true;
      window.location.assign(result.page_url);
    } catch (error) {
      showProgress("");
      showError(describe(error));
    } finally {
      submitButton.disabled = leaving;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  form.querySelector("[data-switch-chain]").addEventListener("click", async () => {
    try {
      await switchChain(window.ethereum, siteChainId, { notAddedHint: "Add that network first." });
    } catch (error) {
      showError(describe(error));
      return;
    }
    chainWarning.hidden = true;
    await submit();
  });
}
