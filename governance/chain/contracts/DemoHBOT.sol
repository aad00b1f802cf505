// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Demo HBOT: a plain ERC-20 with 18 decimals for Connector Hub's dev chain.
/// @notice Mainnet HBOT is a fixed-supply ERC-20; this demo mints the whole supply to the
///         deployer, who then distributes it to demo holders with ordinary transfers, so
///         balances change from block to block just as they do on mainnet.
contract DemoHBOT {
    string public constant name = "Hummingbot Governance Token (demo)";
    string public constant symbol = "HBOT";
    uint8 public constant decimals = 18;
    uint256 public immutable totalSupply;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    error InsufficientBalance(address from, uint256 balance, uint256 needed);
    error InsufficientAllowance(address owner, address spender, uint256 allowed, uint256 needed);
    error ZeroAddress();
    error LengthMismatch(uint256 recipients, uint256 values);

    constructor(uint256 supply) {
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    /// @notice Demo convenience: many transfers in one transaction, to seed thousands of
    ///         holders quickly. Each is an ordinary transfer from the caller.
    function transferMany(address[] calldata to, uint256[] calldata values) external returns (bool) {
        if (to.length != values.length) revert LengthMismatch(to.length, values.length);
        for (uint256 i = 0; i < to.length; ++i) {
            _move(msg.sender, to[i], values[i]);
        }
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        if (spender == address(0)) revert ZeroAddress();
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert InsufficientAllowance(from, msg.sender, allowed, value);
            allowance[from][msg.sender] = allowed - value;
        }
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) private {
        if (to == address(0)) revert ZeroAddress();
        uint256 balance = balanceOf[from];
        if (balance < value) revert InsufficientBalance(from, balance, value);
        unchecked {
            balanceOf[from] = balance - value;
        }
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
