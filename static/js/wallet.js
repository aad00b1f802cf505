// Sign-In with Ethereum (EIP-4361) through the browser wallet (EIP-1193). No build step.
//
// The wallet shares its address, the site hands out a nonce (and the EIP-55 form of the
// address), the wallet signs the message built here with personal_sign, and the site
// verifies it and starts the session.

const USER_REJECTED = 4001;
const REQUEST_PENDING = -32002;
const CHAIN_NOT_ADDED = 4902;
const CHAIN_NAMES = new Map([[1n, "Ethereum mainnet"], [11155111n, "Sepolia"]]);

class UserFacingError extends Error {}

const root = document.querySelector("[data-wallet-sign-in]");
if (root) {
  setUp(root);
}

function setUp(root) {
  const connectButton = root.querySelector("[data-connect]");
  const progressLine = root.querySelector("[data-progress]");
  const errorBox = root.querySelector("[data-error]");
  const chainWarning = root.querySelector("[data-chain-warning]");
  const chainWarningText = root.querySelector("[data-chain-warning-text]");
  const switchButton = root.querySelector("[data-switch-chain]");
  const siteChainId = BigInt(root.dataset.chainId);
  const { nonceUrl, signInUrl, csrfToken } = root.dataset;
  const next = root.dataset.next || "/";

  const showProgress = (text) => {
    progressLine.textContent = text;
  };
  const showError = (text) => {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  };
  const hideChainWarning = () => {
    chainWarning.hidden = true;
  };

  const noWallet = () => {
    connectButton.disabled = true;
    showError(
      "Signing in needs a browser wallet extension (such as MetaMask, Rabby or Coinbase " +
        "Wallet) holding your Ethereum account. Install or enable one, then reload this page.",
    );
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
      const accounts = await provider.request({ method: "eth_requestAccounts" });
      if (!Array.isArray(accounts) || accounts.length === 0) {
        throw new UserFacingError(
          "Your wallet shared no account. Unlock it, choose an account and try again.",
        );
      }
      const walletChainId = BigInt(await provider.request({ method: "eth_chainId" }));
      if (walletChainId !== siteChainId) {
        showProgress("");
        chainWarningText.textContent =
          `Your wallet is on ${chainName(walletChainId)}, but this site uses ` +
          `${chainName(siteChainId)}. Switch your wallet's network, then connect again.`;
        chainWarning.hidden = false;
        return;
      }

      showProgress("Preparing the sign-in message…");
      const fields = await fetchJson(`${nonceUrl}?address=${encodeURIComponent(accounts[0])}`);
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

  async function switchChain() {
    try {
      await window.ethereum.request({
        method: "wallet_switchEthereumChain",
        params: [{ chainId: `0x${siteChainId.toString(16)}` }],
      });
    } catch (error) {
      if (error && error.code === CHAIN_NOT_ADDED) {
        showError(
          `Your wallet does not know ${chainName(siteChainId)} yet. Add that network in ` +
            "your wallet, then connect again.",
        );
      } else {
        showError(describe(error));
      }
      return;
    }
    await signIn();
  }

  connectButton.addEventListener("click", signIn);
  switchButton.addEventListener("click", switchChain);
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

function chainName(chainId) {
  const name = CHAIN_NAMES.get(chainId);
  return name ? `${name} (chain id ${chainId})` : `chain id ${chainId}`;
}

async function fetchJson(url, options = {}) {
  let response;
  try {
    response = await fetch(url, {
      credentials: "same-origin",
      ...options,
      headers: { Accept: "application/json", ...(options.headers || {}) },
    });
  } catch {
    throw new UserFacingError("Could not reach the site. Check your connection and try again.");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    throw new UserFacingError(
      (body && body.error) ||
        `The site refused the request (HTTP ${response.status}). Reload the page and try again.`,
    );
  }
  if (!body) {
    throw new UserFacingError("The site sent an unexpected answer. Reload the page and try again.");
  }
  return body;
}

function describe(error) {
  if (error instanceof UserFacingError) {
    return error.message;
  }
  if (error && error.code === USER_REJECTED) {
    return "You declined the request in your wallet, so nothing was signed.";
  }
  if (error && error.code === REQUEST_PENDING) {
    return "Your wallet already has a request waiting. Open the wallet to finish or cancel it.";
  }
  const detail = error && error.message ? error.message : String(error);
  return `Your wallet reported an error: ${detail}`;
}
