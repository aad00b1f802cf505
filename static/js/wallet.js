// Sign-In with Ethereum (EIP-4361) through the browser wallet (EIP-1193). No build step.
//
// The wallet shares its address, the site hands out a nonce (and the EIP-55 form of the
// address), the wallet signs the message built here with personal_sign, and the site
// verifies it and starts the session.

import {
  chainName,
  connectWallet,
  describe,
  fetchJson,
  statusLines,
  switchChain,
  walletNeeded,
} from "./ethereum.js";

const root = document.querySelector("[data-wallet-sign-in]");
if (root) {
  setUp(root);
}

function setUp(root) {
  const connectButton = root.querySelector("[data-connect]");
  const chainWarning = root.querySelector("[data-chain-warning]");
  const chainWarningText = root.querySelector("[data-chain-warning-text]");
  const switchButton = root.querySelector("[data-switch-chain]");
  const siteChainId = BigInt(root.dataset.chainId);
  const { nonceUrl, signInUrl, csrfToken } = root.dataset;
  const next = root.dataset.next || "/";

  const { showProgress, showError } = statusLines(root);
  const hideChainWarning = () => {
    chainWarning.hidden = true;
  };

  const noWallet = () => {
    connectButton.disabled = true;
    showError(walletNeeded("Signing in"));
  };

  if (!window.ethereum) {
    noWallet();
    // Some wallets announce themselves after the page has loaded.
    window.addEventListener("ethereum#initialized", () => {
      connectButton.disabled = false;
      showError("");
    }, { once: true });
  } else if (typeof window.ethereum.on === "function") {
    window.ethereum.on("chainChanged", hideChainWarning);
  }

  async function signIn() {
    const provider = window.ethereum;
    if (!provider) {
      noWallet();
      return;
    }
    connectButton.disabled = true;
    showError("");
    hideChainWarning();
    let redirecting = false;
    try {
      showProgress("Waiting for your wallet to share your address…");
      const { account, chainId: walletChainId } = await connectWallet(provider, {
        noAccountMessage: "Your wallet shared no account. Unlock it, choose an account and try again.",
      });
      if (walletChainId !== siteChainId) {
        showProgress("");
        chainWarningText.textContent =
          `Your wallet is on ${chainName(walletChainId)}, but this site uses ` +
          `${chainName(siteChainId)}. Switch your wallet's network, then connect again.`;
        chainWarning.hidden = false;
        return;
      }

      showProgress("Preparing the sign-in message…");
      const fields = await fetchJson(`${nonceUrl}?address=${encodeURIComponent(account)}`);
      const message = siweMessage(fields);

      showProgress("Confirm the signature request in your wallet…");
      const signature = await provider.request({
        method: "personal_sign",
        params: [utf8Hex(message), fields.address],
      });

      showProgress("Checking the signature…");
      const result = await fetchJson(signInUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
        body: JSON.stringify({ message, signature, next }),
      });
      showProgress(`Signed in as ${result.address}. Taking you back…`);
      redirecting = true;
      window.location.assign(result.next);
    } catch (error) {
      showProgress("");
      showError(describe(error));
    } finally {
      connectButton.disabled = redirecting;
    }
  }

  async function switchChainThenSignIn() {
    try {
      await switchChain(window.ethereum, siteChainId, {
        notAddedHint: "Add that network in your wallet, then connect again.",
      });
    } catch (error) {
      showError(describe(error));
      return;
    }
    await signIn();
  }

  connectButton.addEventListener("click", signIn);
  switchButton.addEventListener("click", switchChainThenSignIn);
}

// The exact EIP-4361 text; it must match what the server rebuilds from the parsed fields.
function siweMessage(fields) {
  const statement = fields.statement ? `\n${fields.statement}\n` : "\n";
  return (
    `${fields.domain} wants you to sign in with your Ethereum account:\n` +
    `${fields.address}\n` +
    `${statement}\n` +
    `URI: ${fields.uri}\n` +
    "Version: 1\n" +
    `Chain ID: ${fields.chain_id}\n` +
    `Nonce: ${fields.nonce}\n` +
    `Issued At: ${fields.issued_at}\n` +
    `Expiration Time: ${fields.expiration_time}`
  );
}

function utf8Hex(text) {
  const bytes = new TextEncoder().encode(text);
  return `0x${Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}
