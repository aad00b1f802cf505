// What the wallet pages share: the browser wallet (EIP-1193), the site's JSON answers and the
// words shown when either goes wrong. A plain ES module, imported by wallet.js, vote.js and
// proposal.js; no build step.

const USER_REJECTED = 4001;
const REQUEST_PENDING = -32002;
const CHAIN_NOT_ADDED = 4902;
const CHAIN_NAMES = new Map([[1n, "Ethereum mainnet"], [11155111n, "Sepolia"]]);

// An error whose message is meant for the person at the page, word for word.
export class UserFacingError extends Error {}

// The sentence shown when the page has no wallet to talk to; `doing` names the task ("Voting").
export function walletNeeded(doing) {
  return (
    `${doing} needs a browser wallet extension (such as MetaMask, Rabby or Coinbase Wallet) ` +
    "holding your Ethereum account. Install or enable one, then reload this page."
  );
}

// The progress line and the error box of a wallet form.
export function statusLines(root) {
  const progressLine = root.querySelector("[data-progress]");
  const errorBox = root.querySelector("[data-error]");
  return {
    showProgress(text) {
      progressLine.textContent = text;
    },
    showError(text) {
      errorBox.textContent = text;
      errorBox.hidden = !text;
    },
  };
}

// Asks the wallet for its account and the chain it is on. Throws a UserFacingError with
// `noAccountMessage` when the wallet shares no account.
export async function connectWallet(provider, { noAccountMessage }) {
  const accounts = await provider.request({ method: "eth_requestAccounts" });
  if (!Array.isArray(accounts) || accounts.length === 0) {
    throw new UserFacingError(noAccountMessage);
  }
  const chainId = BigInt(await provider.request({ method: "eth_chainId" }));
  return { account: accounts[0], chainId };
}

// Asks the wallet to move to `chainId`. A wallet that does not know the chain gives a
// UserFacingError ending in `notAddedHint`; any other refusal is thrown as it came.
export async function switchChain(provider, chainId, { notAddedHint }) {
  try {
    await provider.request({
      method: "wallet_switchEthereumChain",
      params: [{ chainId: `0x${chainId.toString(16)}` }],
    });
  } catch (error) {
    if (error && error.code === CHAIN_NOT_ADDED) {
      throw new UserFacingError(`Your wallet does not know ${chainName(chainId)} yet. ${notAddedHint}`);
    }
    throw error;
  }
}

// Has the wallet sign EIP-712 typed data for `address`.
export function signTypedData(provider, address, typedData) {
  return provider.request({
    method: "eth_signTypedData_v4",
    params: [address, JSON.stringify(typedData)],
  });
}

export function chainName(chainId) {
  const name = CHAIN_NAMES.get(chainId);
  return name ? `${name} (chain id ${chainId})` : `chain id ${chainId}`;
}

// Fetches a JSON answer from the site; a refusal or an unreadable answer is a UserFacingError.
export async function fetchJson(url, options = {}) {
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

// The words to show for anything thrown while talking to the wallet or the site.
export function describe(error) {
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
